// SPDX-License-Identifier: MIT
// Creating a "managed" CT002/CT003 in the owner's Marstek cloud account, so that a battery
// pairs with the meter meteremu emulates (docs/protocols/marstek-cloud.md). The app's API is
// undocumented: what is used here is an assumption, checked at the end by reading the
// account's device list back. Nothing here logs; neither the password, its MD5 nor the
// account's token ever enters a message.
#pragma once

#include "net/http_client.hpp"

#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meteremu::marstek {

inline constexpr const char* kDefaultApiUrl = "https://eu.hamedata.com";
inline constexpr const char* kCt002Type = "HME-4";
inline constexpr const char* kCt003Type = "HME-3";

class MarstekCloudError : public std::runtime_error {
public:
    enum class Reason {
        Unreachable,  ///< no HTTP answer (names the API's host)
        LoginRefused, ///< the answer to the login carries no token
        Server,       ///< an HTTP error status or an answer that is not what was expected
        NotListed,    ///< the new meter is not in the account's device list afterwards
    };
    MarstekCloudError(Reason reason, const std::string& message)
        : std::runtime_error(message), reason_(reason) {}
    Reason GetReason() const noexcept { return reason_; }

private:
    Reason reason_;
};

struct MarstekAccount {
    std::string email;
    std::string password; ///< plain; sent only as its MD5, never kept by the callee
};

struct MarstekDevice {
    std::string devid;
    std::string mac;
    std::string type;
};

/// The answer to a login: a token (a secret) and the account's devices.
struct MarstekSession {
    std::string token;
    std::vector<MarstekDevice> devices;

    /// Whether a device has `mac` as its devid or mac, compared without regard to case.
    bool Lists(std::string_view mac) const;
};

/// Throws std::invalid_argument unless `url` is https://, or http:// to a loopback address
/// (tests), with a host and without credentials, query or fragment.
void CheckApiUrl(const std::string& url);

/// The host of an API URL as it is written there ("eu.hamedata.com", "127.0.0.1").
std::string ApiHost(const std::string& url);

/// `base` (an API URL, its trailing '/' ignored) + `path` + the query, each value escaped by
/// libcurl. Throws std::invalid_argument when libcurl refuses the URL.
std::string QueryUrl(const std::string& base, std::string_view path,
                     const std::vector<std::pair<std::string, std::string>>& query);

/// Lowercase hex MD5 of `text` (what the app sends instead of the password).
std::string Md5Hex(std::string_view text);

/// "02b250" and six random lowercase hex digits (getrandom). Throws std::system_error.
std::string NewCtMac();

/// "MST-SMR_" and the MAC's last four hex digits in upper case, as a real meter names itself.
std::string CtBluetoothName(std::string_view mac);

/// Text from the cloud made fit for one line: printable ASCII only (others become '?'), cut
/// to `limit` bytes with "..." after.
std::string SanitizedText(std::string_view text, std::size_t limit = 80);

/// The login's answer. Throws MarstekCloudError (LoginRefused without a token, with the
/// answer's msg; Server on an HTTP error or an answer that is not a JSON object).
MarstekSession ParseLoginReply(long status, std::string_view body);

/// The CT types the app knows: kCt002Type or kCt003Type; throws std::invalid_argument else.
void CheckCtType(std::string_view type);

/// The whole: logs in, adds a new meter of `ct_type` with a random MAC that the account does
/// not list yet, logs in again and finds it listed. Returns its MAC. Each request is bounded
/// in time. Throws MarstekCloudError, std::invalid_argument for a bad URL or type.
std::string CreateManagedCt(HttpClient& http, const std::string& api_url,
                            const MarstekAccount& account, std::string_view ct_type,
                            std::stop_token stop = {});

} // namespace meteremu::marstek
