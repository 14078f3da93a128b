// SPDX-License-Identifier: MIT
#include "frontends/ct002/ct002_frontend.hpp"

#include "config/config_section.hpp"
#include "frontends/ct002/battery_table.hpp"
#include "frontends/ct002/ct002_frame.hpp"
#include "net/udp_server.hpp"

#include <algorithm>
#include <cmath>

namespace meteremu {
namespace {

using namespace ct002;

constexpr std::string_view kAnyMac = "000000000000";
constexpr std::array<std::uint16_t, 1> kCt002Ports{12345};

/// W as a frame field: the battery reads 16 bits per phase.
std::int32_t PhaseWatts(double watts) noexcept {
    return static_cast<std::int32_t>(std::clamp(std::lround(watts), -32768L, 32767L));
}

class Ct002Frontend final : public Frontend {
public:
    Ct002Frontend(const Ct002Options& options, const FrontendContext& context)
        : state_(context.state), ct_type_(options.ct_type),
          ct_mac_(options.ct_mac ? MacHex(*options.ct_mac, false) : std::string()),
          ct_key_(MacKey(ct_mac_)) {}

    std::string Describe() const override {
        std::string model = ct_type_ == "HME-3" ? "CT003" : "CT002";
        return "Marstek " + model + " " + (ct_mac_.empty() ? "answering every CT MAC" : ct_mac_);
    }

    /// The reply to `request` in `out`, or nullopt: a poll for another meter, or nothing to
    /// serve (on_stale = "silent"). Notes the battery in `batteries` first.
    std::optional<DatagramReply> Answer(const Request& request, BatteryTable& batteries,
                                        std::uint8_t& index, std::string& out) const {
        if (!IsForMe(request.ct_mac)) return std::nullopt;
        auto now = std::chrono::steady_clock::now();
        batteries.Record(request, now);
        MeterView meter = state_.View(now);
        if (!meter.reading) return std::nullopt;
        Reply reply{ct_type_, ct_mac_.empty() ? request.ct_mac : std::string_view(ct_mac_),
                    request.battery_type, request.battery_mac};
        FillGrid(reply, *meter.reading);
        FillBatteries(reply, batteries.Totals(now));
        reply.index = ++index;
        BuildReply(out, reply);
        return DatagramReply{out, true, meter.sample};
    }

private:
    bool IsForMe(std::string_view asked) const noexcept {
        return ct_mac_.empty() || asked.empty() || asked == kAnyMac || MacKey(asked) == ct_key_;
    }

    static void FillGrid(Reply& reply, const Reading& reading) noexcept {
        std::int64_t total = 0;
        for (std::size_t i = 0; i < 3; ++i) {
            reply.grid[i] = PhaseWatts(reading.phases[i].act_power);
            total += reply.grid[i];
        }
        reply.grid_total = static_cast<std::int32_t>(total);
    }

    static void FillBatteries(Reply& reply, const BucketTotals& totals) noexcept {
        // The reply counts buckets A, B, C and ABC; bucket x (detecting) has no count.
        std::copy(totals.counts.begin() + 1, totals.counts.end(), reply.counts.begin());
        reply.charging = totals.charging;
        reply.discharging = totals.discharging;
    }

    const MeterState& state_;
    std::string ct_type_;
    std::string ct_mac_; ///< lower-case hex; empty: any
    std::uint64_t ct_key_;
};

/// Survives reloads (the bundle keeps it): the batteries and the reply index stay.
class Ct002DatagramHandler final : public DatagramHandler {
public:
    explicit Ct002DatagramHandler(FrontendSource& frontends) : frontends_(frontends) {}

    std::optional<DatagramReply> Handle(std::string_view datagram) noexcept override try {
        auto request = ParseRequest(datagram);
        if (!request) return std::nullopt; // as a real meter: silence
        std::shared_ptr<Frontend> frontend = frontends_.CurrentFrontend();
        auto* meter = dynamic_cast<const Ct002Frontend*>(frontend.get());
        if (!meter) return std::nullopt;
        return meter->Answer(*request, batteries_, index_, reply_);
    } catch (...) {
        return std::nullopt; // out of memory: a lost datagram, as on a busy network
    }

private:
    FrontendSource& frontends_;
    BatteryTable batteries_;
    std::uint8_t index_ = 0;
    std::string reply_;
};

std::unique_ptr<FrontendOptions> ParseCt002(ConfigSection& section) {
    auto options = std::make_unique<Ct002Options>();
    if (auto type = section.String("ct_type")) {
        if (*type == "HME-4" || *type == "HME-3")
            options->ct_type = *type;
        else
            section.ErrorAt("ct_type", "expected \"HME-4\" (CT002) or \"HME-3\" (CT003), the "
                                       "type chosen in the Marstek app");
    }
    if (auto text = section.String("ct_mac"); text && !text->empty()) {
        options->ct_mac = ParseMacAddress(*text);
        if (!options->ct_mac || MacHex(*options->ct_mac, false) == kAnyMac)
            section.ErrorAt("ct_mac", "expected the 12 hexadecimal digits of the meter in the "
                                      "Marstek app, such as \"02b250a1b2c3\", or \"\" to answer "
                                      "polls for any meter");
    }
    return options;
}

std::unique_ptr<Frontend> CreateCt002(const FrontendOptions& options,
                                      const FrontendContext& context) {
    return CreateCt002Frontend(static_cast<const Ct002Options&>(options), context);
}

std::unique_ptr<DatagramHandler> MakeCt002Handler(FrontendSource& frontends) {
    return std::make_unique<Ct002DatagramHandler>(frontends);
}

FrontendTransports Ct002Transports() {
    return {.datagram_handler = MakeCt002Handler};
}

} // namespace

std::unique_ptr<Frontend> CreateCt002Frontend(const Ct002Options& options,
                                              const FrontendContext& context) {
    return std::make_unique<Ct002Frontend>(options, context);
}

// The real meter has no web server: HTTP on an ephemeral port, every path 404.
const FrontendPlugin ct002_frontend_plugin{
    "ct002", ParseCt002, CreateCt002, {.http_port = 0, .udp_ports = kCt002Ports}, Ct002Transports};

} // namespace meteremu
