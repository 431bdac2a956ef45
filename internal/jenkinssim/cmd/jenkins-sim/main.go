// Command jenkins-sim serves the Jenkins simulator until interrupted.
//
//	go run ./internal/jenkinssim/cmd/jenkins-sim --listen 127.0.0.1:8080 --admin admin:admin \
//	    [--context-path /jenkins] [--version 2.579] [--tls-cert f --tls-key f]
//	    [--timezone UTC] [--id-strategy case-insensitive|case-sensitive|case-sensitive-email]
//	    [--realm-lookup supported|unsupported] [--realm-directory none|ldap|active-directory]
//	    [--realm-latency 10ms] [--save-latency 20ms] [--proxy-timeout 60s]
//	    [--realm-respell none|lowercase]
//	    [-D name=value ...]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8080", "address to listen on (loopback)")
	admin := flag.String("admin", "admin:admin", "admin user and password as user:password")
	contextPath := flag.String("context-path", "", "serve Jenkins under this path, e.g. /jenkins")
	version := flag.String("version", "2.579", "Jenkins version to simulate")
	tlsCert := flag.String("tls-cert", "", "PEM certificate file (serve HTTPS)")
	tlsKey := flag.String("tls-key", "", "PKCS#8 PEM private key file")
	timeZone := flag.String("timezone", "UTC", "the simulated JVM's time zone (IANA name): Jenkins's today")
	realmLookup := flag.String("realm-lookup", "supported", "unsupported: the realm cannot look users up (UserMayOrMayNotExistException2), as many SSO realms")
	realmDirectory := flag.String("realm-directory", "none", "ldap or active-directory: the realm's lookups write user records as those plugins do (a save per lookup, see SetRealmDirectory)")
	realmLatency := flag.Duration("realm-latency", 0, "how long each realm lookup takes, as a directory round trip (e.g. 10ms)")
	saveLatency := flag.Duration("save-latency", 0, "how long each save of a user record takes, as a slow disk (e.g. 20ms)")
	proxyTimeout := flag.Duration("proxy-timeout", 0, "also start a proxy with this read timeout in front (nginx's 504 after it, e.g. 60s) and print its URL")
	realmRespell := flag.String("realm-respell", "none", "lowercase: the realm answers lookups with the name lower-cased, as the ldap plugin with forceUsernameLowercase")
	idStrategy := flag.String("id-strategy", "case-insensitive", "user id strategy: case-insensitive, case-sensitive or case-sensitive-email")
	props := map[string]string{}
	flag.Func("D", "a Jenkins system property as name=value, e.g. hudson.model.User.allowNonExistentUserToLogin=true (repeatable)", func(v string) error {
		k, val, ok := strings.Cut(v, "=")
		if !ok || k == "" {
			return fmt.Errorf("want name=value, got %q", v)
		}
		props[k] = val
		return nil
	})
	flag.Parse()

	user, password, ok := strings.Cut(*admin, ":")
	if !ok || user == "" {
		fmt.Fprintln(os.Stderr, "jenkins-sim: --admin must be user:password")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sim, err := jenkinssim.Start(ctx, jenkinssim.Options{
		Listen:           *listen,
		AdminUser:        user,
		AdminPassword:    password,
		ContextPath:      *contextPath,
		Version:          *version,
		TLSCertFile:      *tlsCert,
		TLSKeyFile:       *tlsKey,
		TimeZone:         *timeZone,
		IDStrategy:       *idStrategy,
		RealmLookup:      *realmLookup,
		RealmDirectory:   *realmDirectory,
		RealmLatency:     *realmLatency,
		SaveLatency:      *saveLatency,
		RealmRespell:     *realmRespell,
		SystemProperties: props,
		Log:              os.Stderr,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "jenkins-sim:", err)
		os.Exit(1)
	}
	fmt.Println("jenkins-sim listening on " + sim.URL)
	if *proxyTimeout > 0 {
		proxy, err := sim.Proxy(*proxyTimeout)
		if err != nil {
			fmt.Fprintln(os.Stderr, "jenkins-sim:", err)
			sim.Close()
			os.Exit(1)
		}
		defer proxy.Close()
		fmt.Printf("jenkins-sim proxy listening on %s (read timeout %s)\n", proxy.URL, *proxyTimeout)
	}
	select {
	case <-ctx.Done():
	case <-sim.Done():
		fmt.Fprintln(os.Stderr, "jenkins-sim: the JVM exited")
		os.Exit(1)
	}
	if err := sim.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "jenkins-sim:", err)
	}
}
