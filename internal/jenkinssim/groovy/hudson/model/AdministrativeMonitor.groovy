package hudson.model

import hudson.ExtensionList
import hudson.security.Permission
import jenkins.model.Jenkins

abstract class AdministrativeMonitor {
    final String id
    private volatile boolean disabled

    protected AdministrativeMonitor(String id) { this.id = id }

    protected AdministrativeMonitor() { this.id = getClass().name }

    String getUrl() { 'administrativeMonitor/' + id }

    String getDisplayName() { id }

    String getSearchUrl() { getUrl() }

    boolean isEnabled() { !disabled }

    void disable(boolean value) throws IOException { disabled = value }

    abstract boolean isActivated()

    boolean isSecurity() { false }

    @Deprecated
    Permission getRequiredPermission() { Jenkins.ADMINISTER }

    void checkRequiredPermission() { Jenkins.get().checkPermission(getRequiredPermission()) }

    boolean hasRequiredPermission() { Jenkins.get().hasPermission(getRequiredPermission()) }

    static ExtensionList<AdministrativeMonitor> all() { ExtensionList.lookup(AdministrativeMonitor) }
}
