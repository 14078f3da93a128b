// SPDX-License-Identifier: MIT
// Fuzz target: an HTTP POST to /rpc (a whole request frame) or /rpc/<Method> (a params
// object), as libmicrohttpd hands the body over. Input: the body; when it starts with '/',
// its first line is the path instead.
#include "frontends/jsonrpc/rpc_http.hpp"
#include "fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static meteremu::fuzz::Meter meter;
    static meteremu::RpcHttpHandler handler(*meter.frontend, "ShellyHTTP/1.0.0",
                                            meter.frontend->HttpAliases());
    meter.Publish();
    std::string_view body = meteremu::fuzz::AsText(data, size);
    std::string path = "/rpc";
    if (body.starts_with('/')) {
        auto newline = body.find('\n');
        path = std::string(body.substr(0, newline));
        body = newline == std::string_view::npos ? "" : body.substr(newline + 1);
    }
    meteremu::HttpRequest request{"POST", path, {}, body, nullptr};
    meteremu::HttpResponse response = handler.Handle(request);
    meteremu::fuzz::Require(response.status >= 200 && response.status < 600, "an HTTP status");
    return 0;
}
