// SPDX-License-Identifier: MIT
#include "daemon/passed_sockets.hpp"

#include <algorithm>

namespace meteremu {
namespace {

std::string JoinQuoted(const std::vector<std::string>& names) {
    std::string text;
    for (const std::string& name : names)
        text += (text.empty() ? "\"" : ", \"") + name + "\"";
    return text;
}

std::size_t FrontendOf(const systemd::PassedSocket& socket,
                       const std::vector<std::string>& frontend_names) {
    if (IsUnnamedSocket(socket.name)) return 0;
    auto found = std::find(frontend_names.begin(), frontend_names.end(), socket.name);
    if (found == frontend_names.end())
        throw systemd::PassedSocketsInvalid(
            "systemd passed socket " + std::to_string(socket.fd.Get()) + " (\"" + socket.name +
            "\") for a frontend that is not configured; FileDescriptorName= must name one of " +
            JoinQuoted(frontend_names) + " (see meteremu(8), SOCKET ACTIVATION)");
    return static_cast<std::size_t>(found - frontend_names.begin());
}

} // namespace

bool IsUnnamedSocket(const std::string& name) noexcept {
    // No LISTEN_FDNAMES: "unknown" (or nothing); a unit without FileDescriptorName=: its name.
    return name.empty() || name == "unknown" || name.ends_with(".socket");
}

std::vector<FrontendListeners> AssignPassedSockets(systemd::PassedSockets passed,
                                                   const std::vector<std::string>& frontend_names) {
    std::vector<FrontendListeners> listeners(frontend_names.size());
    for (systemd::PassedSocket& socket : passed.sockets) {
        std::size_t index = FrontendOf(socket, frontend_names);
        FrontendListeners& own = listeners.at(index);
        if (!socket.stream) {
            own.udp.push_back(std::move(socket.fd));
        } else if (own.http.Valid()) {
            throw systemd::PassedSocketsInvalid(
                "systemd passed more than one listening TCP socket for frontend \"" +
                frontend_names[index] + "\" (socket " + std::to_string(socket.fd.Get()) +
                " is another one); a frontend serves HTTP on one: keep a single ListenStream= "
                "per socket unit");
        } else {
            own.http = std::move(socket.fd);
        }
    }
    return listeners;
}

} // namespace meteremu
