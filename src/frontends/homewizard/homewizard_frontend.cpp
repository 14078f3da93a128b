// SPDX-License-Identifier: MIT
#include "frontends/homewizard/homewizard_frontend.hpp"

#include "config/config_section.hpp"
#include "frontends/mac_key.hpp"
#include "frontends/rest_frontend.hpp"
#include "platform/machine_id.hpp"
#include "util/json_writer.hpp"

#include <cmath>

namespace meteremu {
namespace {

constexpr double kWhPerKwh = 1000.0;

void Key(std::string& out, std::string_view key) {
    out += out.size() > 1 ? ",\"" : "\"";
    out += key;
    out += "\":";
}

void Watts(std::string& out, std::string_view key, double watts) {
    Key(out, key);
    json::AppendInteger(out, std::llround(watts));
}

void Fixed(std::string& out, std::string_view key, double value, int decimals) {
    Key(out, key);
    json::AppendFixed(out, value, decimals);
}

/// The meter's per-phase values and counters, in the firmware's key order; a meter without
/// tariffs counts everything on tariff 1. Currents are signed like the power, as the API's.
void AppendMeter(std::string& out, const Reading& reading) {
    Fixed(out, "total_power_import_kwh", reading.TotalImportWh() / kWhPerKwh, 3);
    Fixed(out, "total_power_import_t1_kwh", reading.TotalImportWh() / kWhPerKwh, 3);
    Fixed(out, "total_power_import_t2_kwh", 0.0, 3);
    Fixed(out, "total_power_export_kwh", reading.TotalExportWh() / kWhPerKwh, 3);
    Fixed(out, "total_power_export_t1_kwh", reading.TotalExportWh() / kWhPerKwh, 3);
    Fixed(out, "total_power_export_t2_kwh", 0.0, 3);
    Watts(out, "active_power_w", reading.TotalActPower());
    const char* power_keys[] = {"active_power_l1_w", "active_power_l2_w", "active_power_l3_w"};
    const char* current_keys[] = {"active_current_l1_a", "active_current_l2_a",
                                  "active_current_l3_a"};
    for (std::size_t i = 0; i < kPhaseCount; ++i)
        Watts(out, power_keys[i], reading.phases[i].act_power);
    for (std::size_t i = 0; i < kPhaseCount; ++i) {
        const PhaseReading& phase = reading.phases[i];
        Fixed(out, current_keys[i], phase.act_power < 0 ? -phase.current : phase.current, 3);
    }
    Fixed(out, "active_frequency_hz", reading.phases[0].frequency, 3);
}

std::string RenderData(const Reading& reading, const std::string& unique_id) {
    std::string out = "{";
    out += "\"wifi_ssid\":\"\",\"wifi_strength\":100,\"smr_version\":50,"
           "\"meter_model\":\"meteremu\",\"unique_id\":";
    json::AppendString(out, unique_id);
    out += ",\"active_tariff\":1";
    AppendMeter(out, reading);
    out += ",\"voltage_sag_l1_count\":0,\"voltage_sag_l2_count\":0,\"voltage_sag_l3_count\":0,"
           "\"voltage_swell_l1_count\":0,\"voltage_swell_l2_count\":0,"
           "\"voltage_swell_l3_count\":0,\"any_power_fail_count\":0,\"long_power_fail_count\":0}";
    return out;
}

class HomeWizardFrontend final : public RestFrontend {
public:
    HomeWizardFrontend(const MacAddress& mac, const FrontendContext& context)
        : RestFrontend(context), serial_(MacHex(mac, false)),
          // The meter's equipment id, hex-encoded as the API sends it [?: made up].
          unique_id_("4D45544552454D55" + MacHex(mac, true)) {}

    std::string Describe() const override { return "HomeWizard P1 meter " + serial_; }

    std::vector<MdnsService> MdnsServices(std::uint16_t http_port) const override {
        return {{"_hwenergy._tcp",
                 "p1meter-" + serial_.substr(6),
                 "p1meter-" + serial_.substr(6),
                 http_port,
                 {"api_enabled=1", "path=/api/v1", "serial=" + serial_, "product_type=HWE-P1",
                  "product_name=P1 meter"}}};
    }

    std::string HttpProbePath() const override { return "/api"; }

    HttpResponse Answer(const HttpRequest& request) noexcept override try {
        if (request.path != "/api" && request.path != "/api/v1/data") return NotFound();
        if (!IsRead(request)) return Refusal(405, "Method Not Allowed");
        if (request.path == "/api") return Json(Device(), true);
        MeterView meter = state_.View(std::chrono::steady_clock::now());
        if (!meter.reading || meter.freshness == Freshness::Missing) return NoReading();
        return Json(RenderData(*meter.reading, unique_id_), true, meter.sample);
    } catch (...) {
        return Refusal(500, "Internal Server Error");
    }

private:
    std::string Device() const {
        std::string out = "{\"product_type\":\"HWE-P1\",\"product_name\":\"P1 meter\",\"serial\":";
        json::AppendString(out, serial_);
        out += ",\"firmware_version\":\"4.19\",\"api_version\":\"v1\"}";
        return out;
    }

    std::string serial_;
    std::string unique_id_;
};

std::unique_ptr<FrontendOptions> ParseHomeWizard(ConfigSection& section) {
    auto options = std::make_unique<HomeWizardOptions>();
    options->mac = ParseMacKey(section);
    return options;
}

std::unique_ptr<Frontend> CreateHw(const FrontendOptions& options, const FrontendContext& context) {
    return CreateHomeWizardFrontend(static_cast<const HomeWizardOptions&>(options), context);
}

FrontendTransports HomeWizardTransports() {
    return {};
}

} // namespace

std::unique_ptr<Frontend> CreateHomeWizardFrontend(const HomeWizardOptions& options,
                                                   const FrontendContext& context) {
    MacAddress mac = options.mac ? *options.mac : StableMacAddress(0x300 + context.ordinal);
    return std::make_unique<HomeWizardFrontend>(mac, context);
}

const FrontendPlugin homewizard_frontend_plugin{
    "homewizard", ParseHomeWizard, CreateHw, {.http_port = 80}, HomeWizardTransports};

} // namespace meteremu
