// SPDX-License-Identifier: MIT
// The base of a device that answers a few fixed HTTP GET paths with JSON and speaks no
// JSON-RPC (the Shelly 3EM Gen1, the EcoTracker, the HomeWizard P1): the reply epoch and
// sample of each answer, and the refusals they share with the Pro 3EM's HTTP face (404 for
// an unknown path, 405 for another method, 503 while no reading may be served).
#pragma once

#include "frontends/frontend.hpp"
#include "net/http_server.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace meteremu {

class RestFrontend : public Frontend {
public:
    /// Answers one request; called on the HTTP server's threads.
    virtual HttpResponse Answer(const HttpRequest& request) noexcept = 0;

    /// Changes with each reading, freshness and frontend instance (net/reply_epoch.hpp).
    ReplyEpoch Epoch() const noexcept {
        MeterStamp stamp = state_.Stamp(std::chrono::steady_clock::now());
        return {instance_, stamp.revision, static_cast<int>(stamp.freshness)};
    }

    std::unique_ptr<HttpHandler> MakeHttpHandler(HttpUpgradeHandler* /*websocket*/) override;

protected:
    explicit RestFrontend(const FrontendContext& context)
        : state_(context.state), started_(context.started_at) {}

    /// A JSON body, kept and served again while the epoch stays when `reusable`; `sample`
    /// tags a reading for the sample gate (0: none).
    static HttpResponse Json(std::string body, bool reusable, std::uint64_t sample = 0) {
        HttpResponse response;
        response.body = std::move(body);
        response.reusable = reusable;
        response.sample = sample;
        return response;
    }

    static HttpResponse Refusal(unsigned status, std::string_view text) {
        HttpResponse response;
        response.status = status;
        response.body = std::string(text) + "\n";
        response.content_type = "text/plain";
        return response;
    }

    /// A path the device does not have, or an index it lacks (/emeter/3).
    static HttpResponse NotFound() { return Refusal(404, "Not Found"); }

    /// What the Pro 3EM's HTTP face answers to a meter request while no reading may be
    /// served (nothing received yet, or stale under on_stale = "silent").
    static HttpResponse NoReading() { return Refusal(503, "No fresh reading"); }

    /// GET and HEAD only: these devices take no other method on their meter paths.
    static bool IsRead(const HttpRequest& request) {
        return request.method == "GET" || request.method == "HEAD";
    }

    const MeterState& state_;
    SteadyTime started_;

private:
    static std::uint64_t NextInstance() noexcept {
        // Far from the JSON-RPC frontends' numbers: no two frontends share an epoch source.
        static std::atomic<std::uint64_t> next{std::uint64_t{1} << 40};
        return next.fetch_add(1);
    }

    std::uint64_t instance_ = NextInstance();
};

/// The HTTP face of a RestFrontend: every request to it, under its epoch, labelled by its
/// path. Only a path that was served names itself: any other is "other", so a client asking
/// for made-up paths cannot fill the table of method names.
class RestHttpHandler final : public HttpHandler {
public:
    explicit RestHttpHandler(RestFrontend& frontend) : frontend_(frontend) {}
    HttpResponse Handle(const HttpRequest& request) noexcept override {
        HttpResponse response = frontend_.Answer(request);
        bool served = response.status / 100 == 2 || response.status == 503;
        response.label = {served ? MethodIdOf(request.path) : kOtherMethod,
                          response.status / 100 == 2 ? RequestOutcome::Answered
                          : response.status == 503   ? RequestOutcome::Withheld
                                                     : RequestOutcome::Failed};
        return response;
    }
    ReplyEpoch Epoch() noexcept override { return frontend_.Epoch(); }

private:
    RestFrontend& frontend_;
};

inline std::unique_ptr<HttpHandler> RestFrontend::MakeHttpHandler(HttpUpgradeHandler*) {
    return std::make_unique<RestHttpHandler>(*this);
}

} // namespace meteremu
