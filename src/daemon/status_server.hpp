// SPDX-License-Identifier: MIT
// The status page on a port of its own ([status] listen): /, /status.json and /metrics,
// 404 for everything else, its own allow list, and no client counted (a person reading the
// page is no meter client). The frontends' ports then leave those paths to their frontends.
#pragma once

#include "config/config.hpp"
#include "net/allow_list.hpp"
#include "net/http_server.hpp"
#include "status/status_page.hpp"

#include <memory>
#include <string>

namespace meteremu {

class StatusServer {
public:
    /// Binds `listen` and serves `page` there (one server thread). Throws std::system_error
    /// when the port cannot be bound.
    StatusServer(const ListenSettings& listen, const AllowList& allow, const StatusPage& page);

    const ListenSettings& Listen() const noexcept { return listen_; }
    /// "127.0.0.1:8081" or "[::]:8081".
    const std::string& Address() const noexcept { return http_->Address(); }
    void ApplyAllow(const AllowList& allow) { filter_.Replace(allow); }

private:
    ListenSettings listen_;
    ClientFilter filter_;
    StatusRoutes routes_;
    std::unique_ptr<HttpServer> http_; ///< last: serves what is above
};

} // namespace meteremu
