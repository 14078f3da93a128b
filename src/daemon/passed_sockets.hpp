// SPDX-License-Identifier: MIT
// Which frontend serves which socket systemd passed. A socket unit names its sockets with
// FileDescriptorName=, and the name says the frontend (Daemon::FrontendName: "shelly",
// "shelly2", ...); the kind says the transport: its listening TCP socket serves HTTP, its UDP
// sockets the frontend's datagram handler. A socket whose unit sets no name (systemd then
// uses the unit's name, e.g. "meteremu.socket") serves the first frontend, as every socket
// did before frontends had names. See man/meteremu.8.scd, SOCKET ACTIVATION.
#pragma once

#include "daemon/frontend_bundle.hpp"
#include "platform/systemd.hpp"

#include <string>
#include <vector>

namespace meteremu {

/// Sorts `passed` by frontend: one FrontendListeners per name of `frontend_names`, in that
/// order, holding what was passed for it (often nothing). Throws
/// systemd::PassedSocketsInvalid for a socket named for no frontend, or for a second
/// listening TCP socket of one frontend; the sockets are closed then.
std::vector<FrontendListeners> AssignPassedSockets(systemd::PassedSockets passed,
                                                   const std::vector<std::string>& frontend_names);

/// Whether `name` is what systemd calls a socket whose unit names none.
bool IsUnnamedSocket(const std::string& name) noexcept;

} // namespace meteremu
