// SPDX-License-Identifier: MIT
// The ceiling of the UDP benchmark: the least a server can do, written as a plain C program
// would be: one blocking socket, recvfrom, sendto of the same reply bytes meteremu sends, on
// one thread (as meteremu's UDP server has one).
//   bench_udp_reference --reply FILE [--port N]
// Prints "port=<p>" once it serves; runs until killed.
#include "bench_util.hpp"

#include <sys/socket.h>

int main(int argc, char** argv) try {
    using namespace meteremu::bench;
    std::string reply_path = Option(argc, argv, "--reply", "");
    if (reply_path.empty()) {
        std::fprintf(stderr, "usage: bench_udp_reference --reply FILE [--port N]\n");
        return 64;
    }
    std::string reply = ReadFile(reply_path);
    int fd =
        BoundSocket(SOCK_DGRAM, static_cast<std::uint16_t>(NumberOption(argc, argv, "--port", 0)));
    std::printf("port=%u\n", BoundPort(fd));
    std::fflush(stdout);
    char request[4096];
    for (;;) {
        sockaddr_storage sender;
        socklen_t length = sizeof sender;
        ssize_t size =
            recvfrom(fd, request, sizeof request, 0, reinterpret_cast<sockaddr*>(&sender), &length);
        if (size < 0) continue;
        sendto(fd, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&sender), length);
    }
} catch (const std::exception& error) {
    std::fprintf(stderr, "bench_udp_reference: %s\n", error.what());
    return 1;
}
