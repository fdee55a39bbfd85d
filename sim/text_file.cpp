#include "sim/text_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "sim/errors.hpp"

namespace accel::sim {

std::string read_text_file(const std::filesystem::path& path, const std::string& what) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (!fs::exists(status)) throw InputError(what + " does not exist");
    if (fs::is_directory(status)) throw InputError(what + " is a folder, not a file");
    if (!fs::is_regular_file(status)) throw InputError(what + " is not a regular file");
    const std::uintmax_t size = fs::file_size(path, ec);
    if (ec) throw InputError(what + " cannot be read: " + ec.message());
    if (size > max_text_file_bytes)
        throw InputError(what + " has " + std::to_string(size) + " bytes; a config or sweep file has at most " +
                         std::to_string(max_text_file_bytes));
    errno = 0;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(what + " cannot be read" + (errno ? std::string(": ") + std::strerror(errno) : ""));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw InputError(what + " cannot be read: read error");
    return text.str();
}

}  // namespace accel::sim
