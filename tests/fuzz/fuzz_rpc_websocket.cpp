// SPDX-License-Identifier: MIT
// Fuzz target: one text message of a WebSocket client on /rpc (a request frame), then a push,
// which a request with a "src" subscribes the client to.
#include "frontends/jsonrpc/rpc_websocket.hpp"
#include "fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static meteremu::fuzz::Meter meter;
    static meteremu::RpcWebSocket app(*meter.frontend);
    meter.Publish();
    auto session = app.Open();
    if (auto reply = session->OnMessage(meteremu::fuzz::AsText(data, size)))
        meteremu::fuzz::Require(reply->text.starts_with('{') && reply->text.ends_with('}'),
                                "a JSON frame");
    app.PreparePush();
    session->OnPush();
    return 0;
}
