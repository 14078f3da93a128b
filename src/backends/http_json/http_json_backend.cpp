// SPDX-License-Identifier: MIT
#include "backends/http_json/http_json_backend.hpp"

#include "backends/http_json/http_json_poller.hpp"
#include "backends/poll_loop.hpp"

namespace meteremu::http_json {
namespace {

class HttpJsonBackend final : public Backend {
public:
    HttpJsonBackend(const HttpJsonOptions& options, const BackendContext& context)
        : options_(options),
          poller_(options_, context.state, context.poll_interval, context.state_directory),
          loop_("poll-http-json", context.heartbeat) {}

    ~HttpJsonBackend() override { Stop(); }

    void Start() override {
        loop_.Start([this](std::stop_token stop) { return poller_.Poll(stop); });
    }

    void Stop() noexcept override {
        if (stopped_) return;
        stopped_ = true;
        loop_.Stop();
        poller_.Shutdown();
    }

    std::string Describe() const override {
        std::string text = "the JSON of " + options_.url;
        if (options_.preset) text += " (preset " + std::string(PresetName(*options_.preset)) + ")";
        return text;
    }

    std::string Health() const override { return poller_.Health(); }

private:
    HttpJsonOptions options_; ///< a copy: the poller keeps a reference for its whole life
    HttpJsonPoller poller_;
    PollLoop loop_;
    bool stopped_ = false;
};

} // namespace

std::unique_ptr<Backend> CreateHttpJsonBackend(const HttpJsonOptions& options,
                                               const BackendContext& context) {
    return std::make_unique<HttpJsonBackend>(options, context);
}

} // namespace meteremu::http_json
