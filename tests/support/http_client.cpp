// SPDX-License-Identifier: MIT
#include "support/http_client.hpp"

#include <curl/curl.h>

#include <cctype>
#include <memory>
#include <strings.h>

namespace meteremu::test {
namespace {

struct CurlDeleter {
    void operator()(CURL* curl) const noexcept { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
    void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};

size_t OnBody(char* data, size_t size, size_t count, void* target) noexcept {
    static_cast<std::string*>(target)->append(data, size * count);
    return size * count;
}

std::string Trim(std::string text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.pop_back();
    size_t start = 0;
    while (start < text.size() && std::isspace(static_cast<unsigned char>(text[start])))
        ++start;
    return text.substr(start);
}

size_t OnHeader(char* data, size_t size, size_t count, void* target) noexcept {
    std::string line(data, size * count);
    auto colon = line.find(':');
    if (colon != std::string::npos)
        static_cast<HttpResult*>(target)->headers.emplace_back(line.substr(0, colon),
                                                               Trim(line.substr(colon + 1)));
    return size * count;
}

HttpResult Perform(const std::string& url, const std::string* post_body,
                   std::chrono::milliseconds timeout, const std::string& source = "") {
    HttpResult result;
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    std::unique_ptr<curl_slist, SlistDeleter> headers;
    char error[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
    if (!source.empty())
        curl_easy_setopt(curl.get(), CURLOPT_INTERFACE, ("host!" + source).c_str());
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &result.body);
    curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &result);
    if (post_body) {
        headers.reset(curl_slist_append(nullptr, "Content-Type: application/json"));
        curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
        curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, post_body->c_str());
    }
    if (curl_easy_perform(curl.get()) == CURLE_OK)
        curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &result.status);
    else
        result.error = error;
    return result;
}

} // namespace

std::optional<std::string> HttpResult::Header(std::string_view name) const {
    for (const auto& [key, value] : headers)
        if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0)
            return value;
    return std::nullopt;
}

HttpResult HttpGet(const std::string& url, std::chrono::milliseconds timeout,
                   const std::string& source) {
    return Perform(url, nullptr, timeout, source);
}

HttpResult HttpPost(const std::string& url, const std::string& body,
                    std::chrono::milliseconds timeout) {
    return Perform(url, &body, timeout);
}

} // namespace meteremu::test
