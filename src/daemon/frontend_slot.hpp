// SPDX-License-Identifier: MIT
// The frontend the servers talk to, replaceable while they serve. A reload builds a whole new
// frontend (with its HTTP adapter) and installs it with one store. Every request asks the slot
// once for the current one (Current, CurrentRpcHandler) and holds it until its reply is framed, so
// one device answers the whole request (result, "src", epoch), no handler ever sees a frontend that
// is half replaced, and the old one goes away with its last request.
#pragma once

#include "frontends/frontend.hpp"
#include "frontends/jsonrpc/rpc.hpp"
#include "net/http_server.hpp"
#include "status/status_page.hpp"
#include "util/shared_slot.hpp"

#include <memory>
#include <string>

namespace meteremu {

/// An HTTP handler that answers 404 to everything: the HTTP port of a device without one.
std::unique_ptr<HttpHandler> MakeNotFoundHandler();

class FrontendSlot final : public HttpHandler, public FrontendSource {
public:
    explicit FrontendSlot(std::unique_ptr<Frontend> frontend);

    FrontendSlot(const FrontendSlot&) = delete;
    FrontendSlot& operator=(const FrontendSlot&) = delete;

    /// Installs `frontend`; requests already running finish on the previous one. Throws
    /// std::bad_alloc only, before anything changed.
    void Replace(std::unique_ptr<Frontend> frontend);

    /// Hands WebSocket upgrades of the RPC path to `websocket`, for this frontend and every
    /// later one. Call once, before any server serves the slot (the WebSocket's own RPCs come
    /// back through the slot, so the two cannot be built in one step).
    void ServeWebSocket(HttpUpgradeHandler& websocket);

    /// Puts the status page's paths in front of this frontend's HTTP handler and every later
    /// one's. Call once, before any server serves the slot.
    void ServeStatus(const StatusPage& status);

    /// HTTP: the current frontend's adapter, held by the server for one request.
    std::shared_ptr<HttpHandler> Current() noexcept override;
    /// For a caller that does not hold a handler: each loads the current frontend once.
    HttpResponse Handle(const HttpRequest& request) noexcept override;
    ReplyEpoch Epoch() noexcept override;
    HttpResponse Refuse(const HttpRefusal& refusal) const override;

    /// The other transports (WebSocket, UDP): the current frontend, held for one request.
    std::shared_ptr<Frontend> CurrentFrontend() noexcept override;
    /// The current frontend's JSON-RPC face; null when it speaks none (then no JSON-RPC
    /// transport is built for it).
    std::shared_ptr<RpcHandler> CurrentRpcHandler() noexcept override;

    /// The current frontend's description, e.g. "Shelly Pro 3EM shellypro3em-0aa1b2c3d4e5".
    std::string Describe() const;

    /// A path of the current frontend the watchdog's probe asks.
    std::string ProbePath() const;

    /// The current frontend's mDNS services for `http_port`.
    std::vector<MdnsService> MdnsServices(std::uint16_t http_port) const;

private:
    /// Builds the current frontend's adapters again, before anything serves the slot.
    void Rebuild();

    struct Active {
        Active(std::unique_ptr<Frontend> frontend_arg, HttpUpgradeHandler* websocket,
               const StatusPage* status);

        std::unique_ptr<Frontend> frontend;
        std::unique_ptr<HttpHandler>
            http; ///< never null; may refer to *frontend, declared after it
    };

    HttpUpgradeHandler* websocket_ = nullptr;
    const StatusPage* status_ = nullptr;
    SharedSlot<Active> active_;
};

} // namespace meteremu
