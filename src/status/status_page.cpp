// SPDX-License-Identifier: MIT
#include "status/status_page.hpp"

namespace meteremu {
namespace {

HttpResponse Text(unsigned status, std::string body, std::string_view type) {
    HttpResponse response;
    response.status = status;
    response.body = std::move(body);
    response.content_type = type;
    // Live data: a browser must ask again, not keep a copy.
    response.headers.emplace_back("Cache-Control", "no-store");
    return response;
}

} // namespace

// src/status/embed_html.cmake writes them from web/status.html.
extern const unsigned char kStatusHtml[];
extern const std::size_t kStatusHtmlSize;

std::string_view StatusPage::Html() noexcept {
    return {reinterpret_cast<const char*>(kStatusHtml), kStatusHtmlSize};
}

void StatusPage::Publish(std::string json, std::string metrics) {
    // Braces, not make_shared's parentheses: clang 14 (make fuzz, make tidy) has no
    // parenthesized aggregate initialization.
    auto documents =
        std::make_shared<const Documents>(Documents{std::move(json), std::move(metrics)});
    std::lock_guard lock(mutex_);
    documents_ = std::move(documents);
}

std::optional<HttpResponse> StatusPage::Answer(const HttpRequest& request, bool on_own_port) const {
    if (!Serves(request.path, on_own_port)) return std::nullopt;
    if (request.method != "GET" && request.method != "HEAD")
        return Text(405, "Method Not Allowed\n", "text/plain");
    if (request.path == "/") return Text(200, std::string(Html()), "text/html; charset=utf-8");
    std::shared_ptr<const Documents> documents;
    {
        std::lock_guard lock(mutex_);
        documents = documents_;
    }
    if (!documents) return Text(503, "starting\n", "text/plain");
    if (request.path == "/metrics")
        return Text(200, documents->metrics, "text/plain; version=0.0.4; charset=utf-8");
    return Text(200, documents->json, "application/json");
}

bool StatusRoutes::IsClientPoll(std::string_view path) const noexcept {
    return !page_.Serves(path, own_port_) && frontend_->IsClientPoll(path);
}

HttpResponse StatusRoutes::Handle(const HttpRequest& request) noexcept {
    try {
        if (auto answer = page_.Answer(request, own_port_)) return std::move(*answer);
    } catch (...) {
        return Text(500, "Internal Server Error\n", "text/plain");
    }
    HttpResponse response = frontend_->Handle(request);
    // A reload may give the path back to the page ([status] enabled, listen): the server must
    // not keep the frontend's answer to it.
    if (StatusPage::IsStatusPath(request.path)) response.reusable = false;
    return response;
}

} // namespace meteremu
