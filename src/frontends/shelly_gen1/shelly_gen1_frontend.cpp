// SPDX-License-Identifier: MIT
#include "frontends/shelly_gen1/shelly_gen1_frontend.hpp"

#include "config/config_section.hpp"
#include "frontends/mac_key.hpp"
#include "frontends/rest_frontend.hpp"
#include "frontends/shelly_gen1/gen1_render.hpp"
#include "platform/machine_id.hpp"
#include "util/base64.hpp"

#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>

namespace meteremu {
namespace {

using shelly_gen1::Gen1Identity;

Gen1Identity MakeGen1Identity(const MacAddress& mac, bool auth) {
    Gen1Identity identity;
    identity.mac = MacHex(mac, true);
    identity.hostname = "shellyem3-" + identity.mac;
    identity.auth = auth;
    return identity;
}

shelly_gen1::Gen1Moment MomentOf(SteadyTime started, std::uint64_t serial) {
    shelly_gen1::Gen1Moment moment;
    moment.unixtime = static_cast<std::int64_t>(std::time(nullptr));
    moment.uptime =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)
            .count();
    moment.serial = serial;
    auto seconds = static_cast<std::time_t>(moment.unixtime);
    std::tm local{};
    char text[8] = "";
    if (localtime_r(&seconds, &local))
        std::snprintf(text, sizeof text, "%02d:%02d", local.tm_hour % 24, local.tm_min % 60);
    moment.time = text;
    return moment;
}

/// Bytes equal in constant time, so the answer's timing says nothing of the password.
bool SameSecret(std::string_view given, std::string_view expected) noexcept {
    unsigned char difference = given.size() == expected.size() ? 0 : 1;
    for (std::size_t i = 0; i < given.size() && i < expected.size(); ++i)
        difference |= static_cast<unsigned char>(given[i] ^ expected[i]);
    return difference == 0;
}

class ShellyGen1Frontend final : public RestFrontend {
public:
    ShellyGen1Frontend(const ShellyGen1Options& options, const MacAddress& mac,
                       const FrontendContext& context)
        : RestFrontend(context), identity_(MakeGen1Identity(mac, !options.password.empty())),
          user_(options.user),
          authorization_(identity_.auth
                             ? "Basic " + Base64Encode(options.user + ":" + options.password)
                             : "") {}

    std::string Describe() const override { return "Shelly 3EM (Gen1) " + identity_.hostname; }

    std::vector<MdnsService> MdnsServices(std::uint16_t http_port) const override {
        // Gen1 devices announce their web server under their host name, without TXT.
        return {{"_http._tcp", identity_.hostname, identity_.hostname, http_port, {}}};
    }

    std::string HttpProbePath() const override { return "/shelly"; }

    HttpResponse Answer(const HttpRequest& request) noexcept override try {
        if (!IsRead(request)) return Refusal(405, "Method Not Allowed");
        // /shelly answers without a login on the real device: that is how clients find it.
        if (request.path == "/shelly") return Json(Shelly(), true);
        if (!Authorized(request)) return Unauthorized();
        if (request.path == "/settings") return Json(Settings(), true);
        if (request.path == "/status") return Meter(-1);
        if (request.path.starts_with("/emeter/")) {
            std::string_view index = request.path.substr(8);
            if (index.size() == 1 && index[0] >= '0' && index[0] <= '2')
                return Meter(index[0] - '0');
        }
        return NotFound();
    } catch (...) {
        return Refusal(500, "Internal Server Error");
    }

private:
    std::string Shelly() const {
        std::string out;
        shelly_gen1::AppendShelly(out, identity_);
        return out;
    }

    std::string Settings() const {
        std::string out;
        shelly_gen1::AppendSettings(out, identity_, user_);
        return out;
    }

    /// /status (channel -1) or /emeter/<channel>.
    HttpResponse Meter(int channel) const {
        MeterView meter = state_.View(std::chrono::steady_clock::now());
        // Counters are never invented: no reading yet is no answer, whatever on_stale says.
        if (!meter.reading || meter.freshness == Freshness::Missing) return NoReading();
        std::string out;
        out.reserve(1024);
        if (channel < 0) {
            shelly_gen1::AppendStatus(out, identity_, *meter.reading,
                                      MomentOf(started_, meter.sample));
            return Json(std::move(out), false, meter.sample);
        }
        shelly_gen1::AppendEmeter(out, meter.reading->phases[static_cast<std::size_t>(channel)]);
        return Json(std::move(out), true, meter.sample);
    }

    bool Authorized(const HttpRequest& request) const {
        if (authorization_.empty()) return true;
        auto given = request.Header("Authorization");
        return given && SameSecret(*given, authorization_);
    }

    HttpResponse Unauthorized() const {
        HttpResponse response = Refusal(401, "401 Unauthorized");
        response.headers.emplace_back("WWW-Authenticate",
                                      "Basic realm=\"" + identity_.hostname + "\"");
        return response;
    }

    Gen1Identity identity_;
    std::string user_;
    std::string authorization_; ///< the whole expected header; a secret
};

std::optional<std::string> ReadPasswordFile(const std::string& path) {
    std::ifstream file(path);
    if (!file) return std::nullopt;
    std::ostringstream text;
    text << file.rdbuf();
    std::string password = text.str();
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r'))
        password.pop_back();
    return password;
}

void ParseLogin(ConfigSection& section, ShellyGen1Options& options) {
    if (auto user = section.String("user")) {
        if (user->empty() || user->find(':') != std::string::npos)
            section.ErrorAt("user", "expected a user name without ':'");
        else
            options.user = *user;
    }
    if (auto password = section.String("password")) options.password = *password;
    auto file = section.String("password_file");
    if (!file || file->empty()) return;
    if (!options.password.empty()) {
        section.ErrorAt("password_file", "set password or password_file, not both");
    } else if (auto read = ReadPasswordFile(*file)) {
        options.password = std::move(*read);
    } else {
        section.ErrorAt("password_file", "expected a readable file holding the password");
    }
}

std::unique_ptr<FrontendOptions> ParseShellyGen1(ConfigSection& section) {
    auto options = std::make_unique<ShellyGen1Options>();
    options->mac = ParseMacKey(section);
    ParseLogin(section, *options);
    return options;
}

std::unique_ptr<Frontend> CreateGen1(const FrontendOptions& options,
                                     const FrontendContext& context) {
    return CreateShellyGen1Frontend(static_cast<const ShellyGen1Options&>(options), context);
}

/// REST on HTTP only: no WebSocket, no UDP.
FrontendTransports Gen1Transports() {
    return {};
}

} // namespace

std::unique_ptr<Frontend> CreateShellyGen1Frontend(const ShellyGen1Options& options,
                                                   const FrontendContext& context) {
    // Its own series of derived addresses: a Gen1 beside a Pro 3EM gets another MAC.
    MacAddress mac = options.mac ? *options.mac : StableMacAddress(0x100 + context.ordinal);
    return std::make_unique<ShellyGen1Frontend>(options, mac, context);
}

const FrontendPlugin shelly_gen1_frontend_plugin{
    "shelly_gen1", ParseShellyGen1, CreateGen1, {.http_port = 80}, Gen1Transports};

} // namespace meteremu
