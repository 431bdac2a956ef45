package jenkinssim

import com.sun.net.httpserver.HttpExchange

// The parts of a servlet request Jenkins uses: method, path, headers, cookies and
// getParameter (query string first, then an urlencoded body; a JSON body is not parameters).
class SimRequest {
    String method
    String rel
    String rawQuery
    Map<String, List<String>> headers
    byte[] body
    Map<String, List<String>> params = new LinkedHashMap<String, List<String>>()

    static SimRequest read(HttpExchange ex, String rel) {
        SimRequest r = new SimRequest()
        r.method = ex.requestMethod
        r.rel = rel
        r.rawQuery = ex.requestURI.rawQuery
        r.headers = ex.requestHeaders
        r.body = ex.requestBody.bytes
        parseInto(r.params, r.rawQuery)
        String ct = r.header('Content-Type') ?: ''
        if (r.method == 'POST' && ct.toLowerCase(Locale.ENGLISH).startsWith('application/x-www-form-urlencoded')) {
            parseInto(r.params, new String(r.body, 'UTF-8'))
        }
        r
    }

    static void parseInto(Map<String, List<String>> into, String s) {
        if (!s) {
            return
        }
        for (String pair : s.split('&')) {
            if (pair.isEmpty()) {
                continue
            }
            int eq = pair.indexOf('=')
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), 'UTF-8')
            String v = eq < 0 ? '' : URLDecoder.decode(pair.substring(eq + 1), 'UTF-8')
            into.computeIfAbsent(k) { new ArrayList<String>() }.add(v)
        }
    }

    String param(String name) {
        List<String> v = params.get(name)
        v ? v[0] : null
    }

    String header(String name) {
        List<String> v = headers.get(name)
        v ? v[0] : null
    }

    String cookie(String name) {
        List<String> all = headers.get('Cookie') ?: []
        for (String line : all) {
            for (String part : line.split(';')) {
                int eq = part.indexOf('=')
                if (eq > 0 && part.substring(0, eq).trim() == name) {
                    return part.substring(eq + 1).trim()
                }
            }
        }
        null
    }

    Locale locale() {
        String al = header('Accept-Language')
        if (!al) {
            return null
        }
        String first = al.split(',')[0].split(';')[0].trim()
        first && first != '*' ? Locale.forLanguageTag(first) : null
    }

    /** The request path as the client sent it (with the context path), for error pages. */
    String uri() { SimServer.contextPath + rel }
}
