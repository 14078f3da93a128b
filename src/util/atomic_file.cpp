// SPDX-License-Identifier: MIT
#include "util/atomic_file.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>
#include <utility>

namespace meteremu {
namespace {

[[noreturn]] void Fail(const std::string& what, const std::filesystem::path& path) {
    throw std::system_error(errno, std::generic_category(), what + " " + path.string());
}

class Fd {
public:
    explicit Fd(int fd) noexcept : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int Get() const noexcept { return fd_; }
    int Release() noexcept { return std::exchange(fd_, -1); }

private:
    int fd_;
};

void WriteAll(int fd, std::string_view content, const std::filesystem::path& path) {
    while (!content.empty()) {
        ssize_t n = ::write(fd, content.data(), content.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) Fail("cannot write", path);
        content.remove_prefix(static_cast<size_t>(n));
    }
}

} // namespace

void WriteFileAtomically(const std::filesystem::path& path, std::string_view content, mode_t mode) {
    auto temporary = path;
    temporary += ".tmp";
    Fd fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
    if (fd.Get() < 0) Fail("cannot create", temporary);
    // O_CREAT leaves an existing file's mode alone; a secret must not stay world-readable.
    if (::fchmod(fd.Get(), mode) != 0) Fail("cannot set the mode of", temporary);
    WriteAll(fd.Get(), content, temporary);
    if (::fsync(fd.Get()) != 0) Fail("cannot sync", temporary);
    if (::close(fd.Release()) != 0) Fail("cannot close", temporary);
    if (::rename(temporary.c_str(), path.c_str()) != 0) Fail("cannot rename over", path);
    Fd directory(::open(path.parent_path().empty() ? "." : path.parent_path().c_str(),
                        O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (directory.Get() >= 0) ::fsync(directory.Get());
}

std::optional<std::string> ReadSmallFile(const std::filesystem::path& path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.Get() < 0) {
        if (errno == ENOENT) return std::nullopt;
        Fail("cannot open", path);
    }
    std::string content;
    char buffer[4096];
    for (;;) {
        ssize_t n = ::read(fd.Get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) Fail("cannot read", path);
        if (n == 0) return content;
        content.append(buffer, static_cast<size_t>(n));
        if (content.size() > 1024 * 1024) {
            errno = EFBIG;
            Fail("too large:", path);
        }
    }
}

} // namespace meteremu
