/* Runs in the management partition and on the host (unit tests): see
 * http_parse.h. Strict where ambiguity could smuggle requests (one
 * Content-Length, no Transfer-Encoding), lenient about header case. */
#include "guest/mgmt/http_parse.h"
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static enum http_parse_result fail(int *status, int code, char *msg, size_t msglen,
                                   const char *why)
{
    *status = code;
    snprintf(msg, msglen, "%s", why);
    return HTTP_BAD;
}

static bool name_is(const char *name, size_t nlen, const char *want)
{
    if (strlen(want) != nlen)
        return false;
    for (size_t i = 0; i < nlen; i++) {
        char a = name[i], b = want[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (a != b)
            return false;
    }
    return true;
}

static bool value_has_token(const char *v, size_t vlen, const char *token)
{
    size_t t = strlen(token);
    for (size_t i = 0; i + t <= vlen; i++)
        if (name_is(v + i, t, token))
            return true;
    return false;
}

static const char *find_header_end(const char *buf, size_t len)
{
    for (size_t i = 0; i + 3 < len; i++)
        if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n')
            return buf + i;
    return NULL;
}

enum http_parse_result http_parse(const char *buf, size_t len, struct http_request *req,
                                  int *status, char *msg, size_t msglen)
{
    memset(req, 0, sizeof *req);
    const char *end = find_header_end(buf, len < HTTP_MAX_HEADER + 4 ? len : HTTP_MAX_HEADER + 4);
    if (!end) {
        if (len > HTTP_MAX_HEADER)
            return fail(status, 413, msg, msglen, "request header larger than 8192 bytes");
        for (size_t i = 0; i < len; i++)
            if (buf[i] == 0)
                return fail(status, 400, msg, msglen, "NUL byte in request header");
        return HTTP_NEED_MORE;
    }
    size_t hlen = (size_t)(end - buf) + 4;

    /* request line: METHOD SP TARGET SP HTTP/1.x CRLF */
    const char *line_end = memchr(buf, '\r', hlen);
    const char *sp1 = memchr(buf, ' ', (size_t)(line_end - buf));
    if (!sp1 || sp1 == buf)
        return fail(status, 400, msg, msglen, "malformed request line");
    const char *sp2 = memchr(sp1 + 1, ' ', (size_t)(line_end - sp1 - 1));
    if (!sp2 || sp2 == sp1 + 1)
        return fail(status, 400, msg, msglen, "malformed request line");
    size_t mlen = (size_t)(sp1 - buf), plen = (size_t)(sp2 - sp1 - 1);
    if (mlen >= sizeof req->method)
        return fail(status, 400, msg, msglen, "unknown method");
    for (size_t i = 0; i < mlen; i++)
        if (buf[i] < 'A' || buf[i] > 'Z')
            return fail(status, 400, msg, msglen, "malformed method");
    memcpy(req->method, buf, mlen);
    if (plen >= sizeof req->path)
        return fail(status, 400, msg, msglen, "request target longer than 255 bytes");
    if (sp1[1] != '/')
        return fail(status, 400, msg, msglen, "request target must start with '/'");
    for (size_t i = 0; i < plen; i++)
        if ((unsigned char)sp1[1 + i] <= 0x20 || (unsigned char)sp1[1 + i] >= 0x7f)
            return fail(status, 400, msg, msglen, "bad character in request target");
    memcpy(req->path, sp1 + 1, plen);
    size_t vlen = (size_t)(line_end - sp2 - 1);
    if (vlen != 8 || memcmp(sp2 + 1, "HTTP/1.", 7) != 0) {
        if (vlen >= 5 && memcmp(sp2 + 1, "HTTP/", 5) == 0)
            return fail(status, 505, msg, msglen, "only HTTP/1.0 and HTTP/1.1 are served");
        return fail(status, 400, msg, msglen, "malformed HTTP version");
    }
    if (sp2[8] != '0' && sp2[8] != '1')
        return fail(status, 505, msg, msglen, "only HTTP/1.0 and HTTP/1.1 are served");
    req->minor = sp2[8] - '0';
    req->keep_alive = req->minor == 1;

    /* headers */
    bool has_length = false, has_host = false;
    size_t content_length = 0;
    const char *p = line_end + 2;
    while (p < end + 2) {
        const char *eol = memchr(p, '\r', (size_t)(end + 2 - p));
        if (!eol || eol[1] != '\n')
            return fail(status, 400, msg, msglen, "header line not ended by CRLF");
        if (eol == p)
            break;
        const char *colon = memchr(p, ':', (size_t)(eol - p));
        if (!colon || colon == p)
            return fail(status, 400, msg, msglen, "header line without a name and ':'");
        for (const char *c = p; c < colon; c++)
            if (*c == ' ' || *c == '\t')
                return fail(status, 400, msg, msglen, "whitespace in a header name");
        size_t nlen = (size_t)(colon - p);
        const char *v = colon + 1;
        while (v < eol && (*v == ' ' || *v == '\t'))
            v++;
        const char *ve = eol;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        size_t valen = (size_t)(ve - v);
        for (size_t i = 0; i < valen; i++)
            if (v[i] == 0 || v[i] == '\n')
                return fail(status, 400, msg, msglen, "bad character in a header value");
        if (name_is(p, nlen, "content-length")) {
            size_t n = 0;
            if (valen == 0 || valen > 9)
                return fail(status, valen > 9 ? 413 : 400, msg, msglen,
                            valen > 9 ? "request body larger than 16384 bytes"
                                      : "empty Content-Length");
            for (size_t i = 0; i < valen; i++) {
                if (v[i] < '0' || v[i] > '9')
                    return fail(status, 400, msg, msglen, "Content-Length is not a number");
                n = n * 10 + (size_t)(v[i] - '0');
            }
            if (has_length && n != content_length)
                return fail(status, 400, msg, msglen, "conflicting Content-Length headers");
            has_length = true;
            content_length = n;
        } else if (name_is(p, nlen, "transfer-encoding")) {
            return fail(status, 501, msg, msglen,
                        "Transfer-Encoding is not supported: send a Content-Length");
        } else if (name_is(p, nlen, "connection")) {
            if (value_has_token(v, valen, "close"))
                req->keep_alive = false;
            else if (value_has_token(v, valen, "keep-alive"))
                req->keep_alive = true;
        } else if (name_is(p, nlen, "authorization")) {
            if (valen >= sizeof req->auth)
                return fail(status, 400, msg, msglen, "Authorization header too long");
            memcpy(req->auth, v, valen);
            req->auth[valen] = 0;
            req->has_auth = true;
        } else if (name_is(p, nlen, "host")) {
            has_host = true;
        }
        p = eol + 2;
    }
    if (req->minor == 1 && !has_host)
        return fail(status, 400, msg, msglen, "HTTP/1.1 request without a Host header");
    if (content_length > HTTP_MAX_BODY)
        return fail(status, 413, msg, msglen, "request body larger than 16384 bytes");
    if (len - hlen < content_length)
        return HTTP_NEED_MORE;
    req->body = buf + hlen;
    req->body_len = content_length;
    req->total_len = hlen + content_length;
    return HTTP_COMPLETE;
}

bool http_bearer_ok(const struct http_request *req, const char *token)
{
    static const char scheme[] = "Bearer ";
    if (!req->has_auth || strncmp(req->auth, scheme, sizeof scheme - 1) != 0)
        return false;
    const char *presented = req->auth + sizeof scheme - 1;
    size_t plen = strlen(presented), elen = strlen(token);
    unsigned diff = (unsigned)(plen != elen) | (unsigned)(elen == 0);
    for (size_t i = 0; i < plen; i++)
        diff |= (unsigned)(uint8_t)presented[i] ^ (unsigned)(uint8_t)token[elen ? i % elen : 0];
    return diff == 0;
}

const char *http_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default:  return "Unknown";
    }
}

void http_format_response(struct jbuf *out, int status, const char *extra_headers,
                          const char *body, size_t body_len, bool keep_alive)
{
    jb_printf(out,
              "HTTP/1.1 %d %s\r\nServer: onestone-mgmt\r\nContent-Type: application/json\r\n"
              "Content-Length: %zu\r\nConnection: %s\r\n%s\r\n",
              status, http_reason(status), body_len, keep_alive ? "keep-alive" : "close",
              extra_headers ? extra_headers : "");
    if (body_len && !out->oom) {
        size_t at = out->len;
        jb_printf(out, "%*s", (int)body_len, "");
        if (!out->oom)
            memcpy(out->p + at, body, body_len);
    }
}
