// SPDX-License-Identifier: MIT
// The Shelly Pro 3EM frontend: identity plus the method table, behind the Frontend interface.
#include "frontends/shelly/shelly_frontend.hpp"

#include "config/config_section.hpp"
#include "frontends/shelly/discovery.hpp"
#include "frontends/shelly/rpc_methods.hpp"
#include "platform/log.hpp"

namespace meteremu {
namespace {

constexpr std::string_view kServerName = "ShellyHTTP/1.0.0";

class ShellyFrontend final : public Frontend {
public:
    ShellyFrontend(shelly::Identity identity, const FrontendContext& context)
        : identity_(std::move(identity)), state_(context.state), started_(context.started_at),
          started_wall_(std::chrono::system_clock::now() -
                        std::chrono::duration_cast<WallTime::duration>(
                            std::chrono::steady_clock::now() - context.started_at)) {}

    RpcOutcome Call(const RpcCall& call) noexcept override {
        const shelly::Method* method = shelly::FindMethod(call.method);
        if (!method)
            return RpcError{rpc_code::kNoHandler, "No handler for " + std::string(call.method)};
        try {
            return method->handler({identity_, state_, started_, started_wall_,
                                    std::chrono::steady_clock::now(),
                                    std::chrono::system_clock::now(), call.params});
        } catch (...) {
            return RpcError{500, "Internal error: " + log::DescribeCurrentException()};
        }
    }

    std::string_view SourceId() const noexcept override { return identity_.id; }
    std::string_view HttpServerName() const noexcept override { return kServerName; }

    std::vector<HttpAlias> HttpAliases() const override {
        // Home Assistant and several batteries start here; the real device adds no-cache.
        return {{"/shelly", "Shelly.GetDeviceInfo", true}};
    }

    std::string Describe() const override { return "Shelly Pro 3EM " + identity_.id; }

    std::vector<MdnsService> MdnsServices(std::uint16_t http_port) const override {
        return shelly::DiscoveryServices(identity_, http_port);
    }

private:
    shelly::Identity identity_;
    const MeterState& state_;
    SteadyTime started_;
    WallTime started_wall_;
};

std::unique_ptr<FrontendOptions> ParseShelly(ConfigSection& section) {
    auto options = std::make_unique<ShellyOptions>();
    auto mac = section.String("mac");
    if (mac && !mac->empty()) {
        options->mac = shelly::ParseMac(*mac);
        if (!options->mac)
            section.ErrorAt("mac", "expected 12 hexadecimal digits such as \"A0B1C2D3E4F5\" "
                                   "(\":\" or \"-\" between pairs allowed), or \"\" to derive "
                                   "one from /etc/machine-id");
    }
    return options;
}

std::unique_ptr<Frontend> CreateShelly(const FrontendOptions& options,
                                       const FrontendContext& context) {
    const auto& shelly_options = static_cast<const ShellyOptions&>(options);
    MacAddress mac = shelly_options.mac ? *shelly_options.mac : StableMacAddress();
    return std::make_unique<ShellyFrontend>(shelly::MakeIdentity(mac), context);
}

} // namespace

const FrontendPlugin shelly_frontend_plugin{"shelly", ParseShelly, CreateShelly};

} // namespace meteremu
