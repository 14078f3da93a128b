// SPDX-License-Identifier: MIT
// The Envoy as a backend: the poll state machine on a PollLoop thread of its own.
#pragma once

#include "backends/backend.hpp"
#include "backends/envoy/envoy_options.hpp"
#include "backends/envoy/envoy_poller.hpp"
#include "backends/poll_loop.hpp"

namespace meteremu::envoy {

class EnvoyBackend final : public Backend {
public:
    EnvoyBackend(const EnvoyOptions& options, const BackendContext& context);
    ~EnvoyBackend() override;

    void Start() override;
    void Stop() noexcept override;
    std::string Describe() const override;
    std::string Health() const override;
    SourceFacts Facts() const override;

private:
    EnvoyOptions options_; ///< a copy: the poller keeps a reference for its whole life
    EnvoyPoller poller_;
    PollLoop loop_;
    bool stopped_ = false;
};

} // namespace meteremu::envoy
