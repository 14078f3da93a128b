// SPDX-License-Identifier: MIT
#include "daemon/frontend_slot.hpp"

namespace meteremu {
namespace {

/// The HTTP port of a device that serves nothing over HTTP.
class NothingOverHttp final : public HttpHandler {
public:
    HttpResponse Handle(const HttpRequest& /*request*/) noexcept override {
        HttpResponse response;
        response.status = 404;
        response.body = "Not Found\n";
        response.content_type = "text/plain";
        return response;
    }
};

} // namespace

std::unique_ptr<HttpHandler> MakeNotFoundHandler() {
    return std::make_unique<NothingOverHttp>();
}

namespace {

std::unique_ptr<HttpHandler> HttpHandlerOf(Frontend& frontend, HttpUpgradeHandler* websocket,
                                           const StatusPage* status) {
    std::unique_ptr<HttpHandler> http = frontend.MakeHttpHandler(websocket);
    if (!http) http = MakeNotFoundHandler();
    if (status) http = std::make_unique<StatusRoutes>(std::move(http), *status);
    return http;
}

} // namespace

FrontendSlot::Active::Active(std::unique_ptr<Frontend> frontend_arg, HttpUpgradeHandler* websocket,
                             const StatusPage* status)
    : frontend(std::move(frontend_arg)), http(HttpHandlerOf(*frontend, websocket, status)) {}

FrontendSlot::FrontendSlot(std::unique_ptr<Frontend> frontend)
    : active_(std::make_shared<Active>(std::move(frontend), nullptr, nullptr)) {}

void FrontendSlot::Replace(std::unique_ptr<Frontend> frontend) {
    active_.Store(std::make_shared<Active>(std::move(frontend), websocket_, status_));
}

void FrontendSlot::ServeWebSocket(HttpUpgradeHandler& websocket) {
    websocket_ = &websocket;
    Rebuild();
}

void FrontendSlot::ServeStatus(const StatusPage& status) {
    status_ = &status;
    Rebuild();
}

void FrontendSlot::Rebuild() {
    // Nothing serves the slot yet: the current frontend can move into a new Active.
    std::shared_ptr<Active> current = active_.Load();
    active_.Store(std::make_shared<Active>(std::move(current->frontend), websocket_, status_));
}

// The aliasing constructor: the pointer is the part asked for, the reference count the whole
// Active's, so the frontend and its adapter stay alive together while a request holds either.
std::shared_ptr<HttpHandler> FrontendSlot::Current() noexcept {
    std::shared_ptr<Active> active = active_.Load();
    HttpHandler* http = active->http.get();
    return {std::move(active), http};
}

std::shared_ptr<Frontend> FrontendSlot::CurrentFrontend() noexcept {
    std::shared_ptr<Active> active = active_.Load();
    Frontend* frontend = active->frontend.get();
    return {std::move(active), frontend};
}

std::shared_ptr<RpcHandler> FrontendSlot::CurrentRpcHandler() noexcept {
    std::shared_ptr<Active> active = active_.Load();
    RpcHandler* rpc = active->frontend->JsonRpc();
    return rpc ? std::shared_ptr<RpcHandler>(std::move(active), rpc) : nullptr;
}

HttpResponse FrontendSlot::Handle(const HttpRequest& request) noexcept {
    return Current()->Handle(request);
}

ReplyEpoch FrontendSlot::Epoch() noexcept {
    return Current()->Epoch();
}

HttpResponse FrontendSlot::Refuse(const HttpRefusal& refusal) const {
    return active_.Load()->http->Refuse(refusal);
}

std::string FrontendSlot::Describe() const {
    return active_.Load()->frontend->Describe();
}

std::string FrontendSlot::ProbePath() const {
    return active_.Load()->frontend->HttpProbePath();
}

std::vector<MdnsService> FrontendSlot::MdnsServices(std::uint16_t http_port) const {
    return active_.Load()->frontend->MdnsServices(http_port);
}

} // namespace meteremu
