// SPDX-License-Identifier: MIT
#include "frontends/ct002/marstek_cloud.hpp"

#include "frontends/ct002/battery_table.hpp"
#include "util/curl.hpp"
#include "util/json.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <memory>
#include <openssl/evp.h>
#include <sys/random.h>
#include <system_error>

namespace meteremu::marstek {
namespace {

// docs/protocols/marstek-cloud.md#the-calls
constexpr std::string_view kDeviceListPath = "/app/Solar/v2_get_device.php";
constexpr std::string_view kAddDevicePath = "/app/Solar/v2_add_device.php";
constexpr const char* kFirmwareVersion = "121";
constexpr const char* kMacPrefix = "02b250";
constexpr Seconds kRequestTimeout{15.0};
// A fresh MAC that the account already lists is drawn again, this many times at most.
constexpr int kMacDraws = 8;

using Reason = MarstekCloudError::Reason;

CurlUrlPtr ParseUrl(const std::string& url) {
    CurlUrlPtr handle(curl_url());
    if (!handle) throw std::invalid_argument("libcurl cannot hold a URL");
    if (curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK)
        throw std::invalid_argument("'" + SanitizedText(url) + "' is not a URL");
    return handle;
}

/// One part of a parsed URL, "" when it has none.
std::string UrlPart(const CurlUrlPtr& url, CURLUPart part) {
    char* text = nullptr;
    if (curl_url_get(url.get(), part, &text, 0) != CURLUE_OK || !text) return "";
    CurlTextPtr owned(text);
    return text;
}

bool IsLoopbackHost(const std::string& host) {
    if (host == "localhost" || host == "[::1]") return true;
    in_addr address{};
    return inet_pton(AF_INET, host.c_str(), &address) == 1 && (ntohl(address.s_addr) >> 24) == 127;
}

std::string StringField(const json_t* object, const char* key) {
    const char* value = json_string_value(json_object_get(object, key));
    return value ? value : "";
}

/// `body` as a JSON object, or nothing.
JsonPtr ParseObject(std::string_view body) {
    JsonPtr root(json_loadb(body.data(), body.size(), 0, nullptr));
    if (!json_is_object(root.get())) return nullptr;
    return root;
}

/// `text` with every copy of `secret` masked: an answer that echoes a secret back must not
/// carry it into a message.
std::string Masked(std::string text, const std::string& secret) {
    if (secret.empty()) return text;
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3))
        text.replace(at, secret.size(), "***");
    return text;
}

class Api {
public:
    Api(HttpClient& http, std::string base, std::stop_token stop)
        : http_(http), base_(std::move(base)), host_(ApiHost(base_)), stop_(std::move(stop)) {}

    MarstekSession LogIn(const MarstekAccount& account) {
        auto reply = Get(QueryUrl(base_, kDeviceListPath,
                                  {{"mailbox", account.email}, {"pwd", Md5Hex(account.password)}}));
        return ParseLoginReply(reply.status, reply.body);
    }

    /// Asks for the meter; returns the answer's msg (sanitized) for the error that follows
    /// when the meter is not listed afterwards.
    std::string Add(const std::string& token, const std::string& mac, std::string_view type) {
        std::string name = type == kCt003Type ? "meteremu CT003" : "meteremu CT002";
        auto reply = Get(QueryUrl(base_, kAddDevicePath,
                                  {{"token", token},
                                   {"devid", mac},
                                   {"mac", mac},
                                   {"type", std::string(type)},
                                   {"name", name},
                                   {"bluetooth_name", CtBluetoothName(mac)},
                                   {"version", kFirmwareVersion}}));
        if (reply.status != 200)
            throw MarstekCloudError(Reason::Server, "the Marstek cloud answered HTTP " +
                                                        std::to_string(reply.status) +
                                                        " to adding the meter");
        JsonPtr root = ParseObject(reply.body);
        return root ? SanitizedText(StringField(root.get(), "msg")) : "";
    }

private:
    ClientResponse Get(std::string url) {
        ClientRequest request;
        request.url = std::move(url);
        request.timeout = kRequestTimeout;
        try {
            return http_.Perform(request, stop_);
        } catch (const TransportError& error) {
            // libcurl's own text may quote the URL, whose query holds secrets: not used.
            throw MarstekCloudError(Reason::Unreachable,
                                    "cannot reach the Marstek cloud at " + host_ + ": " +
                                        std::string(TransportFailureName(error.Failure())));
        }
    }

    HttpClient& http_;
    std::string base_;
    std::string host_;
    std::stop_token stop_;
};

std::string AddAndConfirm(Api& api, const MarstekAccount& account, std::string_view ct_type) {
    MarstekSession session = api.LogIn(account);
    std::string mac = NewCtMac();
    for (int draw = 1; draw < kMacDraws && session.Lists(mac); ++draw)
        mac = NewCtMac();
    std::string answer = api.Add(session.token, mac, ct_type);
    // The add's answer is not understood (docs/protocols/marstek-cloud.md#what-is-assumed):
    // only the device list tells whether the meter exists.
    if (!api.LogIn(account).Lists(mac))
        throw MarstekCloudError(Reason::NotListed,
                                "the Marstek cloud does not list the new meter " + mac +
                                    " after adding it, so it was not created" +
                                    (answer.empty() ? "" : " (it answered \"" + answer + "\")"));
    return mac;
}

} // namespace

bool MarstekSession::Lists(std::string_view mac) const {
    return std::any_of(devices.begin(), devices.end(), [&](const MarstekDevice& device) {
        // MacKey reads either case; 0 (no MAC) matches nothing a new meter is given.
        std::uint64_t key = ct002::MacKey(mac);
        return key != 0 && (ct002::MacKey(device.devid) == key || ct002::MacKey(device.mac) == key);
    });
}

void CheckApiUrl(const std::string& url) {
    CurlUrlPtr parsed = ParseUrl(url);
    std::string scheme = UrlPart(parsed, CURLUPART_SCHEME);
    std::string host = UrlPart(parsed, CURLUPART_HOST);
    if (host.empty()) throw std::invalid_argument("the API URL has no host");
    if (scheme != "https" && !(scheme == "http" && IsLoopbackHost(host)))
        throw std::invalid_argument("the API URL must start with https:// (http:// only to a "
                                    "loopback address)");
    if (!UrlPart(parsed, CURLUPART_USER).empty() || !UrlPart(parsed, CURLUPART_QUERY).empty() ||
        !UrlPart(parsed, CURLUPART_FRAGMENT).empty())
        throw std::invalid_argument("the API URL must have no user, query or fragment");
}

std::string ApiHost(const std::string& url) {
    return UrlPart(ParseUrl(url), CURLUPART_HOST);
}

std::string QueryUrl(const std::string& base, std::string_view path,
                     const std::vector<std::pair<std::string, std::string>>& query) {
    std::string root = base;
    while (!root.empty() && root.back() == '/')
        root.pop_back();
    CurlUrlPtr url = ParseUrl(root + std::string(path));
    for (const auto& [key, value] : query) {
        // CURLU_URLENCODE escapes all but the first '=': '+', '@', '&' of a value included.
        std::string pair = key;
        pair += '=';
        pair += value;
        if (curl_url_set(url.get(), CURLUPART_QUERY, pair.c_str(),
                         CURLU_APPENDQUERY | CURLU_URLENCODE) != CURLUE_OK)
            throw std::invalid_argument("libcurl cannot add '" + key + "' to the query");
    }
    return UrlPart(url, CURLUPART_URL);
}

std::string Md5Hex(std::string_view text) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_md5(), nullptr) != 1)
        throw std::runtime_error("libcrypto cannot compute an MD5");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < length; ++i) {
        hex += kHex[digest[i] >> 4];
        hex += kHex[digest[i] & 0xf];
    }
    return hex;
}

std::string NewCtMac() {
    std::array<std::uint8_t, 3> bytes{};
    std::size_t filled = 0;
    while (filled < bytes.size()) {
        ssize_t got = getrandom(bytes.data() + filled, bytes.size() - filled, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) throw std::system_error(errno, std::generic_category(), "getrandom");
        filled += static_cast<std::size_t>(got);
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string mac = kMacPrefix;
    for (std::uint8_t byte : bytes) {
        mac += kHex[byte >> 4];
        mac += kHex[byte & 0xf];
    }
    return mac;
}

std::string CtBluetoothName(std::string_view mac) {
    std::string tail(mac.substr(mac.size() >= 4 ? mac.size() - 4 : 0));
    for (char& c : tail)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return "MST-SMR_" + tail;
}

std::string SanitizedText(std::string_view text, std::size_t limit) {
    std::string clean;
    for (char c : text.substr(0, limit))
        clean += (c >= 0x20 && c <= 0x7e) ? c : '?';
    if (text.size() > limit) clean += "...";
    return clean;
}

MarstekSession ParseLoginReply(long status, std::string_view body) {
    if (status != 200)
        throw MarstekCloudError(Reason::Server, "the Marstek cloud answered HTTP " +
                                                    std::to_string(status) + " to the login");
    JsonPtr root = ParseObject(body);
    if (!root)
        throw MarstekCloudError(Reason::Server,
                                "the Marstek cloud answered the login with something else "
                                "than a JSON object");
    MarstekSession session;
    session.token = StringField(root.get(), "token");
    if (session.token.empty()) {
        std::string msg = SanitizedText(StringField(root.get(), "msg"));
        throw MarstekCloudError(Reason::LoginRefused,
                                "the Marstek cloud refused the login" +
                                    (msg.empty() ? std::string() : ": " + msg));
    }
    size_t index = 0;
    json_t* entry = nullptr;
    json_array_foreach(json_object_get(root.get(), "data"), index, entry) {
        session.devices.push_back(
            {StringField(entry, "devid"), StringField(entry, "mac"), StringField(entry, "type")});
    }
    return session;
}

void CheckCtType(std::string_view type) {
    if (type != kCt002Type && type != kCt003Type)
        throw std::invalid_argument("the meter type must be HME-4 (CT002) or HME-3 (CT003)");
}

std::string CreateManagedCt(HttpClient& http, const std::string& api_url,
                            const MarstekAccount& account, std::string_view ct_type,
                            std::stop_token stop) {
    CheckApiUrl(api_url);
    CheckCtType(ct_type);
    Api api(http, api_url, std::move(stop));
    try {
        return AddAndConfirm(api, account, ct_type);
    } catch (const MarstekCloudError& error) {
        std::string message =
            Masked(Masked(error.what(), account.password), Md5Hex(account.password));
        throw MarstekCloudError(error.GetReason(), message);
    }
}

} // namespace meteremu::marstek
