// SPDX-License-Identifier: MIT
#include "frontends/ecotracker/ecotracker_frontend.hpp"

#include "config/config_section.hpp"
#include "frontends/ecotracker/power_average.hpp"
#include "frontends/mac_key.hpp"
#include "frontends/rest_frontend.hpp"
#include "platform/machine_id.hpp"
#include "util/json_writer.hpp"

#include <algorithm>
#include <cmath>

namespace meteremu {
namespace {

constexpr double kMaxAverageWindow = 3600;

void AppendWatts(std::string& out, std::string_view key, double watts) {
    out += key;
    json::AppendInteger(out, std::llround(watts));
}

/// The document, integers throughout, in everHome's documented key order.
std::string RenderDocument(const Reading& reading, double average) {
    std::string out = "{";
    AppendWatts(out, "\"power\":", reading.TotalActPower());
    AppendWatts(out, ",\"powerAvg\":", average);
    AppendWatts(out, ",\"powerPhase1\":", reading.phases[0].act_power);
    AppendWatts(out, ",\"powerPhase2\":", reading.phases[1].act_power);
    AppendWatts(out, ",\"powerPhase3\":", reading.phases[2].act_power);
    // Wh, rounded from monotonic counters: monotonic too.
    AppendWatts(out, ",\"energyCounterIn\":", reading.TotalImportWh());
    AppendWatts(out, ",\"energyCounterOut\":", reading.TotalExportWh());
    out += '}';
    return out;
}

class EcoTrackerFrontend final : public RestFrontend {
public:
    EcoTrackerFrontend(const EcoTrackerOptions& options, const MacAddress& mac,
                       const FrontendContext& context)
        : RestFrontend(context), name_("ecotracker-" + MacHex(mac, true)),
          serial_(options.serial.empty() ? MacHex(mac, false) : options.serial),
          average_(options.average_window),
          // Every reading counts toward the mean, also those no client asked for.
          subscription_(state_.Subscribe([this] { Sample(); })) {}

    std::string Describe() const override { return "everHome EcoTracker " + name_; }

    std::vector<MdnsService> MdnsServices(std::uint16_t http_port) const override {
        // The device's host name is its instance name; the publisher adds ip=<address> last,
        // so the TXT strings go on the wire in the real device's order.
        MdnsService service{
            "_everhome._tcp", name_, name_, http_port, {"productid=1137", "serial=" + serial_}};
        service.address_txt_key = "ip";
        return {service};
    }

    std::string HttpProbePath() const override { return "/v1/json"; }

    /// Exactly Content-Type and Content-Length: no Server, no Date, nothing else (a Jackery
    /// drops a meter that sends more); libmicrohttpd keeps the connection open.
    HttpResponse Answer(const HttpRequest& request) noexcept override try {
        if (request.path != "/v1/json") return NotFound();
        if (!IsRead(request)) return Refusal(405, "Method Not Allowed");
        auto now = std::chrono::steady_clock::now();
        MeterView meter = state_.View(now);
        if (!meter.reading || meter.freshness == Freshness::Missing) return NoReading();
        double average = meter.reading->TotalActPower();
        // Stale values of on_stale = "zero" are zero on average too.
        if (meter.freshness == Freshness::Fresh || state_.Policy().on_stale == OnStale::Last)
            average = average_.Mean(now).value_or(average);
        // The mean moves with time alone: kept only while nothing can leave the window.
        return Json(RenderDocument(*meter.reading, average), false, meter.sample);
    } catch (...) {
        return Refusal(500, "Internal Server Error");
    }

private:
    void Sample() noexcept try {
        if (auto latest = state_.Latest())
            average_.Add(latest->received_at, latest->TotalActPower());
    } catch (...) {
        // Out of memory: the mean misses one reading.
    }

    std::string name_;
    std::string serial_;
    ecotracker::PowerAverage average_;
    ReadingSubscription subscription_; ///< last: stops before what it feeds goes away
};

bool IsSerial(const std::string& text) {
    return text.size() == 12 && std::ranges::all_of(text, [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

std::unique_ptr<FrontendOptions> ParseEcoTracker(ConfigSection& section) {
    auto options = std::make_unique<EcoTrackerOptions>();
    options->mac = ParseMacKey(section);
    if (auto serial = section.String("serial")) {
        if (serial->empty() || IsSerial(*serial))
            options->serial = *serial;
        else
            section.ErrorAt("serial", "expected 12 lower-case hexadecimal digits, or \"\" for "
                                      "the MAC's");
    }
    options->average_window = Seconds(section.Seconds("average_window", 60.0, kMaxAverageWindow));
    return options;
}

std::unique_ptr<Frontend> CreateEco(const FrontendOptions& options,
                                    const FrontendContext& context) {
    return CreateEcoTrackerFrontend(static_cast<const EcoTrackerOptions&>(options), context);
}

/// HTTP only.
FrontendTransports EcoTrackerTransports() {
    return {};
}

} // namespace

std::unique_ptr<Frontend> CreateEcoTrackerFrontend(const EcoTrackerOptions& options,
                                                   const FrontendContext& context) {
    // Its own series of derived addresses, apart from the Shellies'.
    MacAddress mac = options.mac ? *options.mac : StableMacAddress(0x200 + context.ordinal);
    return std::make_unique<EcoTrackerFrontend>(options, mac, context);
}

// Port 80: NOAH and Hoymiles batteries do not let the user change it.
const FrontendPlugin ecotracker_frontend_plugin{
    "ecotracker", ParseEcoTracker, CreateEco, {.http_port = 80}, EcoTrackerTransports};

} // namespace meteremu
