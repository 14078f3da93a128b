// SPDX-License-Identifier: MIT
// GET /, /status.json and /metrics on every frontend's HTTP port (docs/status.md): the page,
// built into the binary from web/status.html, and the latest documents the daemon published.
// A request copies the published text; it never reaches the readings or the backend.
#pragma once

#include "net/http_server.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace meteremu {

class StatusPage {
public:
    /// Replaces the documents served at /status.json and /metrics. Thread-safe.
    void Publish(std::string json, std::string metrics);

    /// Off: Answer leaves every path to the frontend ([status] enabled). Thread-safe.
    void SetEnabled(bool enabled) noexcept { enabled_ = enabled; }

    /// Whether the page has a port of its own ([status] http_port): then the frontends'
    /// ports leave its paths to the frontend. Thread-safe.
    void SetOwnPort(bool own_port) noexcept { own_port_ = own_port; }

    /// The answer to `request` when it asks for the page or the document; nullopt for any
    /// other path (the frontend's own). `on_own_port`: asked on the page's own port, not on a
    /// frontend's. Thread-safe.
    std::optional<HttpResponse> Answer(const HttpRequest& request, bool on_own_port) const;

    /// Whether Answer takes `path` now, asked on the page's own port or a frontend's.
    bool Serves(std::string_view path, bool on_own_port) const noexcept {
        return enabled_ && on_own_port == own_port_ && IsStatusPath(path);
    }

    /// One of the page's paths, whoever answers it now.
    static bool IsStatusPath(std::string_view path) noexcept {
        return path == "/" || path == "/status.json" || path == "/metrics";
    }

    /// The page's bytes (web/status.html).
    static std::string_view Html() noexcept;

private:
    std::atomic<bool> enabled_ = true;
    std::atomic<bool> own_port_ = false;
    mutable std::mutex mutex_;
    struct Documents {
        std::string json, metrics;
    };
    std::shared_ptr<const Documents> documents_;
};

/// A frontend's HTTP handler with the status paths in front of it; or, with `own_port`, the
/// handler of the page's own port, `frontend` answering every other path.
class StatusRoutes final : public HttpHandler {
public:
    StatusRoutes(std::unique_ptr<HttpHandler> frontend, const StatusPage& page,
                 bool own_port = false)
        : frontend_(std::move(frontend)), page_(page), own_port_(own_port) {}

    HttpResponse Handle(const HttpRequest& request) noexcept override;
    ReplyEpoch Epoch() noexcept override { return frontend_->Epoch(); }
    /// A person reading the page is no client polling the meter.
    bool IsClientPoll(std::string_view path) const noexcept override;
    HttpResponse Refuse(const HttpRefusal& refusal) const override {
        return frontend_->Refuse(refusal);
    }

private:
    std::unique_ptr<HttpHandler> frontend_;
    const StatusPage& page_;
    bool own_port_;
};

} // namespace meteremu
