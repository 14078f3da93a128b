// SPDX-License-Identifier: MIT
// Ownership of libmicrohttpd handles.
#pragma once

#include <microhttpd.h>

#include <memory>

namespace meteremu {

struct MhdDaemonDeleter {
    void operator()(MHD_Daemon* daemon) const noexcept { MHD_stop_daemon(daemon); }
};
using MhdDaemonPtr = std::unique_ptr<MHD_Daemon, MhdDaemonDeleter>;

struct MhdResponseDeleter {
    void operator()(MHD_Response* response) const noexcept { MHD_destroy_response(response); }
};
using MhdResponsePtr = std::unique_ptr<MHD_Response, MhdResponseDeleter>;

} // namespace meteremu
