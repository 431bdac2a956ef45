package jenkins.management

class Badge {
    enum Severity { INFO, WARNING, DANGER }

    final String text
    final String tooltip
    final Severity severity

    Badge(String text, String tooltip, Severity severity) {
        this.text = text
        this.tooltip = tooltip
        this.severity = severity
    }

    String getText() { text }
    String getTooltip() { tooltip }
    Severity getSeverity() { severity }
}
