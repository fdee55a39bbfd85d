#include "accel/datasets/idx.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <system_error>

namespace accel::datasets {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const fs::path& path, const std::string& problem) { throw DataError(path.string() + ": " + problem); }

std::string hex_byte(unsigned v) {
    std::array<char, 8> buf{};
    std::snprintf(buf.data(), buf.size(), "0x%02X", v & 0xFFu);
    return buf.data();
}

// The IDX element types other than unsigned byte, named so that the rejection says what the
// file actually holds.
const char* idx_type_name(unsigned type) {
    switch (type) {
        case 0x08: return "unsigned byte";
        case 0x09: return "signed byte";
        case 0x0B: return "int16";
        case 0x0C: return "int32";
        case 0x0D: return "float32";
        case 0x0E: return "float64";
        default: return nullptr;
    }
}

// The bytes of an IDX file, raw or gzip-decompressed. The gzip path drives zlib's inflate
// directly (rather than gzread) so that it can tell a clean end of the stream from a cut-off
// one, and reject garbage after it (gzread silently ignores both the missing trailer and the
// garbage). Concatenated gzip members are valid gzip and are read in sequence.
class ByteSource {
public:
    ByteSource(const fs::path& path, bool gzip) : path_(path), in_(path, std::ios::binary), gzip_(gzip) {
        if (!in_) fail(path, std::string("cannot open for reading: ") + std::strerror(errno));
        if (gzip_) {
            input_.resize(std::size_t{1} << 18);
            if (inflateInit2(&strm_, 16 + MAX_WBITS) != Z_OK) fail(path, "cannot initialise zlib");  // 16+: gzip wrapper
        }
    }
    ByteSource(const ByteSource&) = delete;
    ByteSource& operator=(const ByteSource&) = delete;
    ~ByteSource() {
        if (gzip_) inflateEnd(&strm_);
    }

    // Reads up to n bytes; fewer only at the end of the data. Corrupt compressed data, a bad CRC
    // and garbage after the gzip stream throw; a gzip stream cut short ends the data early and
    // sets cut_off().
    std::size_t read(std::uint8_t* dst, std::size_t n) {
        if (!gzip_) {
            in_.read(reinterpret_cast<char*>(dst), static_cast<std::streamsize>(n));
            if (in_.bad()) fail(path_, "read error");
            return static_cast<std::size_t>(in_.gcount());
        }
        std::size_t got = 0;
        while (got < n && !finished_ && !cut_off_) {
            if (strm_.avail_in == 0 && !refill()) {
                cut_off_ = true;  // input exhausted before the end-of-stream marker and CRC
                break;
            }
            const auto want = static_cast<uInt>(std::min<std::size_t>(n - got, std::size_t{1} << 30));
            strm_.next_out = dst + got;
            strm_.avail_out = want;
            const int r = inflate(&strm_, Z_NO_FLUSH);
            got += want - strm_.avail_out;
            if (r == Z_STREAM_END) {
                end_of_member();
            } else if (r != Z_OK && r != Z_BUF_ERROR) {
                fail(path_, std::string("corrupt gzip data: ") + (strm_.msg != nullptr ? strm_.msg : "zlib error " + std::to_string(r)));
            }
        }
        return got;
    }

    [[nodiscard]] bool cut_off() const { return cut_off_; }

private:
    bool refill() {
        in_.read(reinterpret_cast<char*>(input_.data()), static_cast<std::streamsize>(input_.size()));
        if (in_.bad()) fail(path_, "read error");
        strm_.next_in = input_.data();
        strm_.avail_in = static_cast<uInt>(in_.gcount());
        return strm_.avail_in > 0;
    }

    // After a member's CRC checked out: the file ends, another member follows, or it is garbage.
    void end_of_member() {
        if (strm_.avail_in == 0 && !refill()) {
            finished_ = true;
            return;
        }
        if (strm_.next_in[0] != 0x1F)
            fail(path_, "trailing garbage after the end of the gzip stream");
        inflateReset(&strm_);  // inflate itself validates the next member's header
    }

    fs::path path_;
    std::ifstream in_;
    bool gzip_;
    z_stream strm_{};
    std::vector<std::uint8_t> input_;
    bool finished_ = false;
    bool cut_off_ = false;
};

bool has_gzip_magic(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::array<unsigned char, 2> m{};
    in.read(reinterpret_cast<char*>(m.data()), 2);
    return in.gcount() == 2 && m[0] == 0x1F && m[1] == 0x8B;
}

std::string truncated_message(std::uint64_t expected, std::uint64_t got, bool gzip_cut) {
    return "truncated: the IDX header declares " + std::to_string(expected) + " data bytes but the " +
           (gzip_cut ? "gzip stream is cut off after " : "file holds only ") + std::to_string(got);
}

}  // namespace

std::size_t IdxArray::element_count() const {
    std::size_t n = dims.empty() ? 0 : 1;
    for (const auto d : dims) n *= d;
    return n;
}

IdxArray read_idx(const fs::path& path) {
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (!fs::exists(status)) fail(path, "no such file");
    if (!fs::is_regular_file(status)) fail(path, "not a regular file");
    const std::uint64_t file_bytes = fs::file_size(path, ec);
    if (ec) fail(path, "cannot determine file size: " + ec.message());
    const bool gzip = has_gzip_magic(path);

    ByteSource in(path, gzip);
    std::array<std::uint8_t, 4> magic{};
    const std::size_t got_magic = in.read(magic.data(), magic.size());
    if (got_magic < magic.size()) fail(path, "truncated: file ends inside the 4-byte IDX magic number");
    if (magic[0] != 0 || magic[1] != 0)
        fail(path, "not an IDX file: magic number starts with " + hex_byte(magic[0]) + " " + hex_byte(magic[1]) +
                       ", expected 0x00 0x00");
    const unsigned type = magic[2];
    if (type != 0x08) {
        const char* name = idx_type_name(type);
        fail(path, name != nullptr ? "unsupported IDX element type " + hex_byte(type) + " (" + name +
                                         "); only 0x08 (unsigned byte) is supported"
                                   : "invalid IDX element type " + hex_byte(type) + "; only 0x08 (unsigned byte) is supported");
    }
    const int ndims = magic[3];
    if (ndims < 1 || ndims > idx_max_dims)
        fail(path, "IDX header declares " + std::to_string(ndims) + " dimensions, expected 1 to " + std::to_string(idx_max_dims));

    IdxArray out;
    out.dims.resize(static_cast<std::size_t>(ndims));
    std::uint64_t total = 1;
    for (int k = 0; k < ndims; ++k) {
        std::array<std::uint8_t, 4> b{};
        if (in.read(b.data(), b.size()) < b.size()) fail(path, "truncated: file ends inside the IDX dimension sizes");
        const std::uint32_t d = (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
        if (d < 1 || d > idx_max_dim)
            fail(path, "IDX dimension " + std::to_string(k) + " is " + std::to_string(d) + ", expected 1 to " +
                           std::to_string(idx_max_dim));
        total *= d;  // ≤ 2^30 · 1e8 before the check below: no overflow
        if (total > idx_max_bytes)
            fail(path, "IDX header declares more than " + std::to_string(idx_max_bytes) + " data bytes (1 GiB limit)");
        out.dims[static_cast<std::size_t>(k)] = d;
    }
    const std::uint64_t header_bytes = 4 + 4 * static_cast<std::uint64_t>(ndims);

    if (!gzip) {
        // Raw: the file size says up front whether the data is all there.
        const std::uint64_t present = file_bytes - header_bytes;
        if (present < total) fail(path, truncated_message(total, present, false));
        if (present > total)
            fail(path, "trailing data: " + std::to_string(present - total) + " bytes after the " + std::to_string(total) +
                           " data bytes the IDX header declares");
        out.data.reserve(static_cast<std::size_t>(total));
    } else {
        // Deflate expands at most 1032:1 (zlib FAQ), so the compressed size bounds what the
        // stream can hold: a lying header cannot make us reserve more than that.
        out.data.reserve(static_cast<std::size_t>(std::min(total, file_bytes * 1032)));
    }

    // Chunked reads: memory grows only with data actually delivered (at most one 4 MiB chunk ahead).
    constexpr std::size_t chunk = std::size_t{1} << 22;
    std::size_t have = 0;
    while (have < total) {
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, total - have));
        out.data.resize(have + want);
        const std::size_t got = in.read(out.data.data() + have, want);
        have += got;
        if (got < want) fail(path, truncated_message(total, have, in.cut_off()));
    }
    std::uint8_t extra = 0;
    if (in.read(&extra, 1) != 0)
        fail(path, "trailing data after the " + std::to_string(total) + " data bytes the IDX header declares");
    if (in.cut_off()) fail(path, "truncated: the gzip stream ends without its end marker and CRC");
    return out;
}

ImageSet load_images_and_labels(const fs::path& images_path, const fs::path& labels_path) {
    IdxArray images = read_idx(images_path);
    IdxArray labels = read_idx(labels_path);
    if (images.dims.size() != 3)
        fail(images_path, "expected 3-D images (count×rows×cols), found " + std::to_string(images.dims.size()) + " dimensions");
    if (labels.dims.size() != 1)
        fail(labels_path, "expected 1-D labels, found " + std::to_string(labels.dims.size()) + " dimensions");
    if (labels.dims[0] != images.dims[0])
        fail(labels_path, "holds " + std::to_string(labels.dims[0]) + " labels but " + images_path.string() + " holds " +
                              std::to_string(images.dims[0]) + " images");

    ImageSet set;
    set.count = static_cast<int>(images.dims[0]);  // dims ≤ 1e8 fit an int
    set.rows = static_cast<int>(images.dims[1]);
    set.cols = static_cast<int>(images.dims[2]);
    // Labels are bytes, hence < 256; the class count is the largest label present + 1.
    set.classes = 1 + *std::max_element(labels.data.begin(), labels.data.end());
    set.pixels = std::move(images.data);
    set.labels = std::move(labels.data);
    return set;
}

}  // namespace accel::datasets
