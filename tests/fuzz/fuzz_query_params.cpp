// SPDX-License-Identifier: MIT
// Fuzz target: GET /rpc/<Method>?<query> as libmicrohttpd hands it over (path and decoded
// arguments), through the query → params decoding, the dispatcher and the rendering.
// Input: "<Method>?k=v&k2=v2"; the part before '?' is the method.
#include "frontends/jsonrpc/rpc_http.hpp"
#include "fuzz/fuzz_support.hpp"

namespace {

using meteremu::fuzz::Meter;

std::vector<std::pair<std::string_view, std::string_view>> SplitQuery(std::string_view query) {
    std::vector<std::pair<std::string_view, std::string_view>> arguments;
    while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view item = query.substr(0, amp);
        auto equals = item.find('=');
        if (equals == std::string_view::npos)
            arguments.emplace_back(item, std::string_view());
        else
            arguments.emplace_back(item.substr(0, equals), item.substr(equals + 1));
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return arguments;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Meter meter;
    static meteremu::RpcHttpHandler handler(*meter.frontend, "ShellyHTTP/1.0.0",
                                            meter.frontend->HttpAliases());
    meter.Publish();
    std::string_view text = meteremu::fuzz::AsText(data, size);
    auto question = text.find('?');
    std::string path = "/rpc/" + std::string(text.substr(0, question));
    std::string_view query = question == std::string_view::npos ? "" : text.substr(question + 1);
    auto arguments = SplitQuery(query);
    // The decoding alone, then the whole request as the server passes it on.
    meteremu::JsonPtr params = meteremu::ParamsFromQuery(arguments);
    meteremu::fuzz::Require(arguments.empty() ? !params : json_is_object(params.get()),
                            "params: none without arguments, else an object");
    meteremu::HttpRequest request{"GET", path, arguments, {}, nullptr};
    meteremu::HttpResponse response = handler.Handle(request);
    meteremu::fuzz::Require(response.status >= 200 && response.status < 600, "an HTTP status");
    return 0;
}
