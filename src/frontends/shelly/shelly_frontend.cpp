// SPDX-License-Identifier: MIT
// The Shelly frontend (Pro 3EM, Pro EM-50, EM Gen3): identity plus the method table, behind
// the Frontend interface.
#include "frontends/shelly/shelly_frontend.hpp"

#include "config/config_section.hpp"
#include "frontends/jsonrpc/rpc_udp.hpp"
#include "frontends/mac_key.hpp"
#include "frontends/shelly/components.hpp"
#include "frontends/shelly/discovery.hpp"
#include "frontends/shelly/rpc_methods.hpp"
#include "platform/log.hpp"
#include "platform/machine_id.hpp"
#include "util/json_writer.hpp"

#include <atomic>
#include <mutex>

namespace meteremu {
namespace {

constexpr std::string_view kServerName = "ShellyHTTP/1.0.0";

/// Every frontend instance renders under its own ReplyEpoch::source; a reload builds another.
std::uint64_t NextInstance() noexcept {
    static std::atomic<std::uint64_t> next{1};
    return next.fetch_add(1);
}

double UnixSeconds(WallTime time) {
    return std::chrono::duration<double>(time.time_since_epoch()).count();
}

class ShellyFrontend final : public JsonRpcFrontend {
public:
    ShellyFrontend(shelly::Identity identity, const FrontendContext& context)
        : identity_(std::move(identity)), state_(context.state), started_(context.started_at),
          started_wall_(std::chrono::system_clock::now() -
                        std::chrono::duration_cast<WallTime::duration>(
                            std::chrono::steady_clock::now() - context.started_at)) {}

    /// One lookup of the method answers everything a transport needs to frame and keep it.
    RpcAnswer Call(const RpcCall& call) noexcept override {
        // The epoch and the sample before the answer is made.
        MeterStamp stamp = state_.Stamp(std::chrono::steady_clock::now());
        RpcAnswer answer{{}, identity_.id, EpochOf(stamp)};
        const shelly::Method* method = shelly::FindMethod(layout_, call.method);
        answer.outcome = method ? Answer(*method, call) : NoHandler(call.method);
        answer.reusable = method && method->per_reading;
        answer.sample = method && method->carries_sample ? stamp.sample : 0;
        return answer;
    }

    std::string_view SourceId() const noexcept override { return identity_.id; }

    ReplyEpoch Epoch() noexcept override {
        return EpochOf(state_.Stamp(std::chrono::steady_clock::now()));
    }

    std::string_view HttpServerName() const noexcept override { return kServerName; }

    std::vector<HttpAlias> HttpAliases() const override {
        // Home Assistant and several batteries start here; the real device adds no-cache.
        return {{"/shelly", "Shelly.GetDeviceInfo", true}};
    }

    std::string Describe() const override {
        switch (identity_.model_kind) {
        case shelly::Model::ProEm50:
            return "Shelly Pro EM-50 " + identity_.id;
        case shelly::Model::EmGen3:
            return "Shelly EM Gen3 " + identity_.id;
        case shelly::Model::Pro3Em:
            break;
        }
        return "Shelly Pro 3EM " + identity_.id + " (" +
               std::string(shelly::ProfileName(identity_.profile)) + ")";
    }

    /// NotifyStatus as a real device sends it while the load changes: the power components
    /// on every new reading, the energy components when a counter moved. Never stale data.
    std::optional<RpcNotification> ReadingNotification() noexcept override try {
        MeterView meter = state_.View(std::chrono::steady_clock::now());
        std::lock_guard lock(notify_mutex_);
        if (meter.freshness != Freshness::Fresh || meter.generation == notified_generation_)
            return std::nullopt;
        notified_generation_ = meter.generation;
        shelly::SysInfo sys;
        shelly::StatusInputs inputs{identity_, sys, meter};
        std::string params = "{\"ts\":";
        json::AppendFixed(params, UnixSeconds(std::chrono::system_clock::now()), 2);
        shelly::AppendComponentsOfKind(params, inputs, shelly::ComponentKind::Power);
        std::string energy;
        shelly::AppendComponentsOfKind(energy, inputs, shelly::ComponentKind::Energy);
        if (energy != notified_energy_) {
            params += energy;
            notified_energy_ = std::move(energy);
        }
        params += '}';
        return RpcNotification{identity_.id, "NotifyStatus", std::move(params)};
    } catch (...) {
        return std::nullopt;
    }

    std::vector<MdnsService> MdnsServices(std::uint16_t http_port) const override {
        return shelly::DiscoveryServices(identity_, http_port);
    }

private:
    ReplyEpoch EpochOf(const MeterStamp& stamp) const noexcept {
        return {instance_, stamp.revision, static_cast<int>(stamp.freshness)};
    }

    RpcOutcome Answer(const shelly::Method& method, const RpcCall& call) const noexcept try {
        return method.handler({identity_, state_, started_, started_wall_,
                               std::chrono::steady_clock::now(), std::chrono::system_clock::now(),
                               call.params, method});
    } catch (...) {
        return InternalError();
    }

    static RpcOutcome NoHandler(std::string_view name) noexcept try {
        return RpcError{rpc_code::kNoHandler, "No handler for " + std::string(name)};
    } catch (...) {
        return InternalError();
    }

    static RpcOutcome InternalError() noexcept try {
        return RpcError{500, "Internal error: " + log::DescribeCurrentException()};
    } catch (...) {
        return RpcError{}; // out of memory: an error without a message
    }

    shelly::Identity identity_;
    shelly::Layout layout_ = shelly::LayoutOf(identity_);
    std::uint64_t instance_ = NextInstance();
    const MeterState& state_;
    SteadyTime started_;
    WallTime started_wall_;
    std::mutex notify_mutex_;
    std::uint64_t notified_generation_ = 0;
    std::string notified_energy_;
};

void ParseModelKeys(ConfigSection& section, ShellyOptions& options) {
    if (auto model = section.String("model")) {
        if (auto parsed = shelly::ParseModel(*model))
            options.model = *parsed;
        else
            section.ErrorAt("model", "expected \"pro3em\" (Shelly Pro 3EM), \"proem50\" (Shelly "
                                     "Pro EM-50) or \"emg3\" (Shelly EM Gen3)");
    }
    if (auto channel0 = section.String("channel0")) {
        // The Pro 3EM shows each phase on its own: it reads the key and ignores it.
        if (auto parsed = shelly::ParseChannel0(*channel0))
            options.channel0 = *parsed;
        else
            section.ErrorAt("channel0", "expected \"total\" (the net sum of the phases), \"a\", "
                                        "\"b\" or \"c\"");
    }
}

std::unique_ptr<FrontendOptions> ParseShelly(ConfigSection& section) {
    auto options = std::make_unique<ShellyOptions>();
    ParseModelKeys(section, *options);
    options->mac = ParseMacKey(section);
    if (auto profile = section.String("profile")) {
        if (options->model != shelly::Model::Pro3Em)
            section.ErrorAt("profile", "only model = \"pro3em\" has profiles");
        else if (auto parsed = shelly::ParseProfile(*profile))
            options->profile = *parsed;
        else
            section.ErrorAt("profile", "expected \"triphase\" (one three-phase meter, em:0) or "
                                       "\"monophase\" (three single-phase meters, em1:0..2)");
    }
    return options;
}

std::unique_ptr<Frontend> CreateShelly(const FrontendOptions& options,
                                       const FrontendContext& context) {
    return CreateShellyFrontend(static_cast<const ShellyOptions&>(options), context);
}

/// HTTP with the WebSocket on /rpc (Home Assistant); JSON-RPC frames over UDP (batteries).
FrontendTransports ShellyTransports() {
    FrontendTransports transports;
    transports.websocket = true;
    transports.datagram_handler =
        [](FrontendSource& frontends) -> std::unique_ptr<DatagramHandler> {
        return std::make_unique<RpcUdpHandler>(frontends);
    };
    return transports;
}

// HTTP on 80 as the real device; Marstek batteries poll UDP 1010 or 2220.
constexpr std::uint16_t kShellyUdpPorts[] = {1010, 2220};

} // namespace

// The emulators' convention for the EM1 meter types of Marstek batteries; no firmware
// source confirms it, and every port answers every model's methods
// (docs/protocols/shelly-em1.md#udp-ports).
std::optional<std::vector<std::uint16_t>> ShellyOptions::DefaultUdpPorts() const {
    switch (model) {
    case shelly::Model::ProEm50:
        return std::vector<std::uint16_t>{2223};
    case shelly::Model::EmGen3:
        return std::vector<std::uint16_t>{2222};
    case shelly::Model::Pro3Em:
        break;
    }
    return std::nullopt;
}

std::unique_ptr<JsonRpcFrontend> CreateShellyFrontend(const ShellyOptions& options,
                                                      const FrontendContext& context) {
    MacAddress mac = options.mac ? *options.mac : StableMacAddress(context.ordinal);
    shelly::Identity identity = shelly::MakeIdentity(mac, options.model, options.profile);
    identity.channel0 = options.channel0;
    return std::make_unique<ShellyFrontend>(std::move(identity), context);
}

const FrontendPlugin shelly_frontend_plugin{"shelly",
                                            ParseShelly,
                                            CreateShelly,
                                            {.http_port = 80, .udp_ports = kShellyUdpPorts},
                                            ShellyTransports};

} // namespace meteremu
