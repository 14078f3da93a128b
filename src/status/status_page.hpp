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

    /// The answer to `request` when it asks for the page or the document; nullopt for any
    /// other path (the frontend's own). Thread-safe.
    std::optional<HttpResponse> Answer(const HttpRequest& request) const;

    /// Whether Answer takes `path` now.
    bool Serves(std::string_view path) const noexcept {
        return enabled_ && (path == "/" || path == "/status.json" || path == "/metrics");
    }

    /// The page's bytes (web/status.html).
    static std::string_view Html() noexcept;

private:
    std::atomic<bool> enabled_ = true;
    mutable std::mutex mutex_;
    struct Documents {
        std::string json, metrics;
    };
    std::shared_ptr<const Documents> documents_;
};

/// A frontend's HTTP handler with the status paths in front of it.
class StatusRoutes final : public HttpHandler {
public:
    StatusRoutes(std::unique_ptr<HttpHandler> frontend, const StatusPage& page)
        : frontend_(std::move(frontend)), page_(page) {}

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
};

} // namespace meteremu
