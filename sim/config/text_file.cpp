#include "accel/sim/config/text_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "accel/core/errors.hpp"

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

namespace {

// Length of the valid UTF-8 sequence at `p` (1 to 4 bytes), or 0 if it is not one.
std::size_t utf8_sequence_length(const unsigned char* p, std::size_t left) {
    const auto in = [](unsigned char c, unsigned lo, unsigned hi) { return c >= lo && c <= hi; };
    const unsigned char b0 = p[0];
    if (b0 <= 0x7F) return 1;
    if (in(b0, 0xC2, 0xDF)) return left >= 2 && in(p[1], 0x80, 0xBF) ? 2 : 0;
    if (in(b0, 0xE0, 0xEF)) {
        if (left < 3 || !in(p[2], 0x80, 0xBF)) return 0;
        const bool second = b0 == 0xE0 ? in(p[1], 0xA0, 0xBF) : b0 == 0xED ? in(p[1], 0x80, 0x9F) : in(p[1], 0x80, 0xBF);
        return second ? 3 : 0;
    }
    if (in(b0, 0xF0, 0xF4)) {
        if (left < 4 || !in(p[2], 0x80, 0xBF) || !in(p[3], 0x80, 0xBF)) return 0;
        const bool second = b0 == 0xF0 ? in(p[1], 0x90, 0xBF) : b0 == 0xF4 ? in(p[1], 0x80, 0x8F) : in(p[1], 0x80, 0xBF);
        return second ? 4 : 0;
    }
    return 0;
}

}  // namespace

void check_utf8(std::string_view text, const std::string& what) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
    std::size_t line = 1;
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t n = utf8_sequence_length(bytes + i, text.size() - i);
        if (n == 0)
            throw InputError(what + ": not valid UTF-8 at line " + std::to_string(line) + ", byte " + std::to_string(i + 1) +
                             " (TOML text must be UTF-8)");
        if (bytes[i] == '\n') ++line;
        i += n;
    }
}

}  // namespace accel::sim
