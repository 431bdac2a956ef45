package jenkinssim

// The servlet request methods scripts use, for the request objects Stapler hands out:
// getParameter reads the query string, then an urlencoded body, as the servlet container does.
trait SimServletRequest {
    abstract SimRequest getSim()

    String getParameter(String name) { getSim().param(name) }

    String[] getParameterValues(String name) {
        List<String> v = getSim().params.get(name)
        v == null ? null : v as String[]
    }

    String getMethod() { getSim().method }

    String getHeader(String name) { getSim().header(name) }

    String getRequestURI() { getSim().uri() }
}
