// SPDX-License-Identifier: MIT
// Ownership of libcurl handles, and the one process-wide initialisation libcurl needs.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <stdexcept>

namespace meteremu {

struct CurlEasyDeleter {
    void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
using CurlEasyPtr = std::unique_ptr<CURL, CurlEasyDeleter>;

struct CurlSlistDeleter {
    void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
using CurlSlistPtr = std::unique_ptr<curl_slist, CurlSlistDeleter>;

struct CurlUrlDeleter {
    void operator()(CURLU* url) const noexcept { curl_url_cleanup(url); }
};
using CurlUrlPtr = std::unique_ptr<CURLU, CurlUrlDeleter>;

/// Text libcurl allocated (curl_url_get, curl_easy_escape), freed with curl_free.
struct CurlFreeDeleter {
    void operator()(char* text) const noexcept { curl_free(text); }
};
using CurlTextPtr = std::unique_ptr<char, CurlFreeDeleter>;

/// curl_global_init must run while the process has one thread; main() holds one of these
/// for the life of the process.
class CurlGlobal {
public:
    CurlGlobal() {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            throw std::runtime_error("libcurl cannot be initialised");
    }
    ~CurlGlobal() { curl_global_cleanup(); }
    CurlGlobal(const CurlGlobal&) = delete;
    CurlGlobal& operator=(const CurlGlobal&) = delete;
};

} // namespace meteremu
