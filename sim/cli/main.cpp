// The `accel` command: builds the command line, registers one subcommand per file in
// sim/cli/, and maps errors to exit codes (0 success, 2 bad input, 3 a training that diverged,
// 1 internal error).

#include <stdexcept>
#include <new>
#include <string>

#include <CLI/CLI.hpp>

#include "accel/core/errors.hpp"
#include "accel/models/trainer.hpp"
#include "accel/sim/cli/app.hpp"
#include "accel/sim/cli/config_cmd.hpp"
#include "accel/sim/cli/energy.hpp"
#include "accel/sim/cli/eval.hpp"
#include "accel/sim/cli/inspect.hpp"
#include "accel/sim/cli/propagate.hpp"
#include "accel/sim/cli/sweep.hpp"
#include "accel/sim/cli/train.hpp"
#include "accel/sim/io/io_watchdog.hpp"
#include "accel/sim/io/provenance.hpp"
#include "accel/sim/run/interrupt.hpp"

int main(int argc, char** argv) {
    namespace cli = accel::sim::cli;
    CLI::App app;
    cli::configure_app(app);
    accel::sim::install_hdf5_crash_handler();
    accel::sim::install_interrupt_handler();
    const cli::Invocation invocation{accel::sim::shell_command_line(argc, argv)};
    cli::add_propagate(app, invocation);
    cli::add_energy(app, invocation);
    cli::add_train(app, invocation);
    cli::add_eval(app, invocation);
    cli::add_sweep(app, invocation);
    cli::add_inspect(app, invocation);
    cli::add_config(app, invocation);
    cli::add_presets(app, invocation);
    try {
        app.parse(argc, argv);  // runs the chosen subcommand
        return 0;
    } catch (const CLI::Success& e) {  // --help, --version
        return app.exit(e);
    } catch (const CLI::RequiredError& e) {
        // CLI11 reports an unknown command word as a missing subcommand; name the word.
        if (app.get_subcommands().empty() && argc > 1 && argv[1][0] != '-') {
            std::string known;
            for (const CLI::App* sub : app.get_subcommands({})) known += (known.empty() ? "" : ", ") + sub->get_name();
            return cli::report_error("unknown command '" + std::string(argv[1]) + "' (commands: " + known + ")", 2);
        }
        return cli::report_error(std::string(e.what()) + " (run with --help for usage)", 2);
    } catch (const CLI::ParseError& e) {
        return cli::report_error(std::string(e.what()) + " (run with --help for usage)", 2);
    } catch (const accel::InputError& e) {
        return cli::report_error(e.what(), 2);
    } catch (const accel::models::TrainingDiverged& e) {  // a non-finite gradient; the last checkpoint is kept
        return cli::report_error(e.what(), 3);
    } catch (const std::bad_alloc&) {  // a design beyond this machine that the preflight estimate let through
        return cli::report_error("out of memory: this design needs more memory than the machine can give (see optics.mask_pixels, "
                                 "optics.padding_px, the number of layers, digital.sensor_pixels and train.threads)", 2);
    } catch (const std::exception& e) {
        return cli::report_error(std::string("internal error: ") + e.what(), 1);
    }
}
