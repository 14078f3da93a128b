// SPDX-License-Identifier: MIT
#include "backends/dsmr_p1/serial_port.hpp"

#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <system_error>
#include <termios.h>

namespace meteremu::dsmr {
namespace {

[[noreturn]] void ThrowErrno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

void Configure(int fd, LineFormat format, const std::string& device) {
    termios settings{};
    if (tcgetattr(fd, &settings) != 0) ThrowErrno(device + " is not a serial port");
    cfmakeraw(&settings);
    settings.c_cflag |= CLOCAL | CREAD;
    speed_t speed = B115200;
    if (format == LineFormat::Baud9600_7E1) {
        speed = B9600;
        settings.c_cflag = (settings.c_cflag & ~(CSIZE | PARODD)) | CS7 | PARENB;
    }
    cfsetispeed(&settings, speed);
    cfsetospeed(&settings, speed);
    if (tcsetattr(fd, TCSANOW, &settings) != 0) ThrowErrno("cannot configure " + device);
}

} // namespace

SerialPort::SerialPort(const std::string& device, LineFormat format)
    : device_(device), fd_(open(device.c_str(), O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)) {
    if (!fd_.Valid()) ThrowErrno("cannot open " + device);
    Configure(fd_.Get(), format, device);
}

std::string_view SerialPort::Read(std::span<char> buffer, std::chrono::milliseconds timeout) {
    pollfd wait{fd_.Get(), POLLIN, 0};
    int ready = poll(&wait, 1, static_cast<int>(timeout.count()));
    if (ready < 0 && errno != EINTR) ThrowErrno("poll on " + device_);
    if (ready <= 0) return {};
    ssize_t size = read(fd_.Get(), buffer.data(), buffer.size());
    if (size < 0 && (errno == EAGAIN || errno == EINTR)) return {};
    if (size < 0) ThrowErrno("reading " + device_);
    if (size == 0) {
        errno = EIO;
        ThrowErrno(device_ + " hung up");
    }
    return {buffer.data(), static_cast<std::size_t>(size)};
}

} // namespace meteremu::dsmr
