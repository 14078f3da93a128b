// SPDX-License-Identifier: MIT
// Fuzz target: one UDP datagram (a request frame, as a Marstek battery sends it).
#include "frontends/jsonrpc/rpc_udp.hpp"
#include "fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static meteremu::fuzz::Meter meter;
    static meteremu::RpcUdpHandler handler(*meter.frontend);
    meter.Publish();
    if (auto reply = handler.Handle(meteremu::fuzz::AsText(data, size)).reply) {
        meteremu::fuzz::Require(reply->bytes.starts_with('{') && reply->bytes.ends_with('}'),
                                "a JSON frame");
        meteremu::fuzz::Require(reply->bytes.size() <=
                                    meteremu::RpcUdpHandler::kMaxReplyRatio * size,
                                "no more than kMaxReplyRatio times the request");
    }
    return 0;
}
