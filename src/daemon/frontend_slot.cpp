// SPDX-License-Identifier: MIT
#include "daemon/frontend_slot.hpp"

#include <algorithm>

namespace meteremu {

FrontendSlot::Active::Active(std::unique_ptr<Frontend> frontend_arg, HttpUpgradeHandler* websocket)
    : frontend(std::move(frontend_arg)),
      http(*frontend, std::string(frontend->HttpServerName()), frontend->HttpAliases(), websocket) {
}

FrontendSlot::FrontendSlot(std::unique_ptr<Frontend> frontend)
    : active_(Activate(std::move(frontend))) {}

std::shared_ptr<FrontendSlot::Active> FrontendSlot::Activate(std::unique_ptr<Frontend> frontend) {
    auto active = std::make_shared<Active>(std::move(frontend), websocket_);
    std::lock_guard lock(ids_mutex_);
    auto id = active->frontend->SourceId();
    auto known = std::find(ids_.begin(), ids_.end(), id);
    active->source_id = known != ids_.end() ? *known : ids_.emplace_back(id);
    return active;
}

void FrontendSlot::Replace(std::unique_ptr<Frontend> frontend) {
    active_.Store(Activate(std::move(frontend)));
}

void FrontendSlot::ServeWebSocket(HttpUpgradeHandler& websocket) {
    websocket_ = &websocket;
    // Nothing serves the slot yet: the current frontend can move into a new Active.
    std::shared_ptr<Active> current = active_.Load();
    active_.Store(Activate(std::move(current->frontend)));
}

HttpResponse FrontendSlot::Handle(const HttpRequest& request) noexcept {
    std::shared_ptr<Active> active = active_.Load();
    return active->http.Handle(request);
}

RpcOutcome FrontendSlot::Call(const RpcCall& call) noexcept {
    std::shared_ptr<Active> active = active_.Load();
    return active->frontend->Call(call);
}

std::string_view FrontendSlot::SourceId() const noexcept {
    return active_.Load()->source_id;
}

ReplyEpoch FrontendSlot::Epoch() noexcept {
    return active_.Load()->frontend->Epoch();
}

bool FrontendSlot::Reusable(std::string_view method) const noexcept {
    return active_.Load()->frontend->Reusable(method);
}

std::optional<RpcNotification> FrontendSlot::ReadingNotification() noexcept {
    std::shared_ptr<Active> active = active_.Load();
    return active->frontend->ReadingNotification();
}

std::string FrontendSlot::Describe() const {
    return active_.Load()->frontend->Describe();
}

std::string FrontendSlot::ProbePath() const {
    auto aliases = active_.Load()->frontend->HttpAliases();
    return aliases.empty() ? "/" : std::string(aliases.front().path);
}

std::vector<MdnsService> FrontendSlot::MdnsServices(std::uint16_t http_port) const {
    return active_.Load()->frontend->MdnsServices(http_port);
}

} // namespace meteremu
