// SPDX-License-Identifier: MIT
// The frontend the servers talk to, replaceable while they serve. A reload builds a whole new
// frontend (with its HTTP adapter) and installs it with one store; every request loads
// the current one and holds it until it has answered, so no handler ever sees a frontend that
// is half replaced, and the old one goes away with its last request.
#pragma once

#include "frontends/frontend.hpp"
#include "net/http_server.hpp"
#include "net/rpc.hpp"
#include "net/rpc_http.hpp"
#include "util/shared_slot.hpp"

#include <deque>
#include <memory>
#include <mutex>
#include <string>

namespace meteremu {

class FrontendSlot final : public HttpHandler, public RpcHandler {
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

    /// HTTP requests (the HttpServer's handler).
    HttpResponse Handle(const HttpRequest& request) noexcept override;

    /// RPCs from the other transports (WebSocket, UDP).
    RpcOutcome Call(const RpcCall& call) noexcept override;

    /// The current frontend's id. Valid as long as the slot, across any number of reloads.
    std::string_view SourceId() const noexcept override;

    /// The current frontend's epoch; a reload brings a new one (ReplyEpoch::source).
    ReplyEpoch Epoch() noexcept override;
    bool Reusable(std::string_view method) const noexcept override;

    /// The current frontend's notification after a new reading (WebSocket pushes).
    std::optional<RpcNotification> ReadingNotification() noexcept override;

    /// The current frontend's description, e.g. "Shelly Pro 3EM shellypro3em-0aa1b2c3d4e5".
    std::string Describe() const;

    /// A fixed HTTP path of the current frontend (its first alias), or "/" when it has none.
    std::string ProbePath() const;

    /// The current frontend's mDNS services for `http_port`.
    std::vector<MdnsService> MdnsServices(std::uint16_t http_port) const;

private:
    struct Active {
        Active(std::unique_ptr<Frontend> frontend_arg, HttpUpgradeHandler* websocket);

        std::unique_ptr<Frontend> frontend;
        RpcHttpHandler http; ///< refers to *frontend, declared after it
        std::string_view source_id;
    };

    std::shared_ptr<Active> Activate(std::unique_ptr<Frontend> frontend);

    /// Every id ever installed: SourceId() hands out views into it, and a reload must not pull
    /// the bytes from under a transport still framing a reply. Grows only when an edit of the
    /// configuration changes the device id.
    HttpUpgradeHandler* websocket_ = nullptr;
    std::mutex ids_mutex_;
    std::deque<std::string> ids_;
    SharedSlot<Active> active_;
};

} // namespace meteremu
