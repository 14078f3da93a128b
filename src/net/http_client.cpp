// SPDX-License-Identifier: MIT
#include "net/http_client.hpp"

#include "build_config.hpp"
#include "net/peer_key.hpp"

#include <cmath>
#include <cstring>

namespace meteremu {
namespace {

struct BodySink {
    std::string* body;
    std::size_t limit;
    bool overflow = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* target) noexcept {
    auto* sink = static_cast<BodySink*>(target);
    size_t bytes = size * count;
    if (sink->body->size() + bytes > sink->limit) {
        sink->overflow = true;
        return 0; // makes libcurl fail the transfer
    }
    try {
        sink->body->append(data, bytes);
    } catch (...) {
        return 0;
    }
    return bytes;
}

/// libcurl calls this about once a second and on every chunk, also while connecting: the
/// poller's stop request ends a request within a second, whatever the server does.
int OnProgress(void* stop, curl_off_t, curl_off_t, curl_off_t, curl_off_t) noexcept {
    return static_cast<std::stop_token*>(stop)->stop_requested() ? 1 : 0;
}

long Milliseconds(Seconds duration) {
    return std::max(1L, static_cast<long>(std::lround(duration.count() * 1000)));
}

TransportFailure Classify(CURLcode code) noexcept {
    switch (code) {
    case CURLE_COULDNT_CONNECT:
        return TransportFailure::Refused;
    case CURLE_OPERATION_TIMEDOUT:
        return TransportFailure::Timeout;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
        return TransportFailure::Tls;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
        return TransportFailure::Reset;
    case CURLE_COULDNT_RESOLVE_HOST:
        return TransportFailure::Resolve;
    case CURLE_ABORTED_BY_CALLBACK:
        return TransportFailure::Cancelled;
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        return TransportFailure::PinMismatch;
    default:
        return TransportFailure::Other;
    }
}

} // namespace

std::string_view TransportFailureName(TransportFailure failure) noexcept {
    switch (failure) {
    case TransportFailure::Refused:
        return "connection refused";
    case TransportFailure::Timeout:
        return "timeout";
    case TransportFailure::Tls:
        return "TLS failure";
    case TransportFailure::Reset:
        return "connection reset";
    case TransportFailure::Resolve:
        return "host not found";
    case TransportFailure::Cancelled:
        return "cancelled";
    case TransportFailure::PinMismatch:
        return "not the pinned certificate key";
    case TransportFailure::Other:
        break;
    }
    return "transport failure";
}

HttpClient::HttpClient(HttpClientOptions options)
    : options_(std::move(options)), curl_(curl_easy_init()) {
    if (!curl_) throw std::runtime_error("libcurl: cannot create a handle");
    EnableCookies();
}

void HttpClient::EnableCookies() {
    // Any cookie switches the cookie engine on, and it stays on across curl_easy_reset(); this
    // one's domain matches no server. The usual switch, an empty CURLOPT_COOKIEFILE, keeps a
    // list of file names that libcurl 7.88 leaks (17 bytes) whenever it is set again after a
    // reset: once per request here (found by LeakSanitizer, make check-asan).
    curl_easy_setopt(curl_.get(), CURLOPT_COOKIELIST, "Set-Cookie: meteremu=on; domain=invalid");
}

void HttpClient::SetDigestLogin(std::string user, std::string password) {
    login_user_ = std::move(user);
    login_password_ = std::move(password);
    login_scheme_ = CURLAUTH_DIGEST;
}

void HttpClient::SetBasicLogin(std::string user, std::string password) {
    login_user_ = std::move(user);
    login_password_ = std::move(password);
    login_scheme_ = CURLAUTH_BASIC;
}

bool HttpClient::HasCookie(std::string_view name) const {
    curl_slist* cookies = nullptr;
    if (curl_easy_getinfo(curl_.get(), CURLINFO_COOKIELIST, &cookies) != CURLE_OK) return false;
    CurlSlistPtr owned(cookies);
    for (auto* entry = cookies; entry; entry = entry->next) {
        // Netscape format: domain, tailmatch, path, secure, expires, name, value (tabs).
        std::string_view line = entry->data;
        size_t field = 0;
        size_t start = 0;
        for (size_t i = 0; i <= line.size() && field < 6; ++i)
            if (i == line.size() || line[i] == '\t') {
                if (field == 5 && line.substr(start, i - start) == name) return true;
                ++field;
                start = i + 1;
            }
    }
    return false;
}

void HttpClient::ClearCookies() {
    curl_easy_setopt(curl_.get(), CURLOPT_COOKIELIST, "ALL");
}

void HttpClient::Configure(const ClientRequest& request, CurlSlistPtr& headers,
                           std::string& authorization, std::stop_token& stop) {
    CURL* curl = curl_.get();
    // Reset keeps the live connection and the cookies; every option is set anew below.
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, Milliseconds(options_.connect_timeout));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, Milliseconds(request.timeout));
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, (std::string("meteremu/") + build::kVersion).c_str());
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, OnProgress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &stop);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, options_.verify_peer ? 1L : 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, options_.verify_peer ? 2L : 0L);
    if (options_.verify_peer && !options_.ca_file.empty())
        curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
    if (!request.pinned_key.empty())
        curl_easy_setopt(curl, CURLOPT_PINNEDPUBLICKEY, request.pinned_key.c_str());
    if (request.capture_peer_key) {
        // The certificate of this very handshake: a kept-alive connection has none to report.
        curl_easy_setopt(curl, CURLOPT_CERTINFO, 1L);
        curl_easy_setopt(curl, CURLOPT_FRESH_CONNECT, 1L);
    }
    headers.reset(curl_slist_append(nullptr, "Accept: application/json"));
    if (!request.bearer.empty()) {
        authorization = "Authorization: Bearer " + request.bearer;
        headers.reset(curl_slist_append(headers.release(), authorization.c_str()));
    }
    if (!request.post_body.empty() || !request.content_type.empty()) {
        std::string type = "Content-Type: " + request.content_type;
        headers.reset(curl_slist_append(headers.release(), type.c_str()));
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.post_body.size()));
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.post_body.c_str());
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
    if (!login_user_.empty()) {
        curl_easy_setopt(curl, CURLOPT_HTTPAUTH, login_scheme_);
        curl_easy_setopt(curl, CURLOPT_USERNAME, login_user_.c_str());
        curl_easy_setopt(curl, CURLOPT_PASSWORD, login_password_.c_str());
    }
}

ClientResponse HttpClient::Perform(const ClientRequest& request, std::stop_token stop) {
    ClientResponse response;
    CurlSlistPtr headers;
    std::string authorization;
    Configure(request, headers, authorization, stop);
    BodySink sink{&response.body, options_.max_body_bytes};
    curl_easy_setopt(curl_.get(), CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(curl_.get(), CURLOPT_WRITEDATA, &sink);
    error_[0] = '\0';
    CURLcode code = curl_easy_perform(curl_.get());
    double total = 0;
    curl_easy_getinfo(curl_.get(), CURLINFO_TOTAL_TIME, &total);
    response.elapsed = Seconds(total);
    if (sink.overflow)
        throw TransportError(TransportFailure::Other, "response body larger than " +
                                                          std::to_string(options_.max_body_bytes) +
                                                          " bytes");
    if (code != CURLE_OK)
        throw TransportError(Classify(code),
                             error_[0] ? std::string(error_) : curl_easy_strerror(code));
    curl_easy_getinfo(curl_.get(), CURLINFO_RESPONSE_CODE, &response.status);
    const char* type = nullptr;
    curl_easy_getinfo(curl_.get(), CURLINFO_CONTENT_TYPE, &type);
    if (type) response.content_type = type;
    if (request.capture_peer_key) response.peer_key = PeerKey();
    return response;
}

/// The pin of the server certificate of the last handshake ("" over plain HTTP).
std::string HttpClient::PeerKey() {
    curl_certinfo* chain = nullptr;
    if (curl_easy_getinfo(curl_.get(), CURLINFO_CERTINFO, &chain) != CURLE_OK || !chain ||
        chain->num_of_certs < 1)
        return "";
    constexpr std::string_view kPemField = "Cert:";
    for (curl_slist* field = chain->certinfo[0]; field; field = field->next) {
        std::string_view line = field->data;
        if (line.substr(0, kPemField.size()) == kPemField)
            return PublicKeyPinOfPem(line.substr(kPemField.size())).value_or("");
    }
    return "";
}

} // namespace meteremu
