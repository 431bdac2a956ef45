package main

import (
	"reflect"
	"testing"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkinssim"
)

func TestFleetOptions(t *testing.T) {
	shared := jenkinssim.Options{AdminUser: "admin", AdminPassword: "admin", Version: "2.579", Plugins: []string{"a"}}
	opts, err := fleetOptions(shared, "127.0.0.1:8080", 3, []string{
		"1:version=2.541,plugin=operations-center-server,plugin=cloudbees-folder:6.9,admin=root:p:w",
		"2:plugin=,context-path=/jenkins,id-strategy=case-sensitive",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []jenkinssim.Options{
		{Listen: "127.0.0.1:8080", AdminUser: "admin", AdminPassword: "admin", Version: "2.579", Plugins: []string{"a"}},
		{Listen: "127.0.0.1:8081", AdminUser: "root", AdminPassword: "p:w", Version: "2.541", Plugins: []string{"operations-center-server", "cloudbees-folder:6.9"}},
		{Listen: "127.0.0.1:8082", AdminUser: "admin", AdminPassword: "admin", Version: "2.579", ContextPath: "/jenkins", IDStrategy: "case-sensitive"},
	}
	if !reflect.DeepEqual(opts, want) {
		t.Errorf("got  %+v\nwant %+v", opts, want)
	}
	if opts, err := fleetOptions(shared, "127.0.0.1:0", 2, nil); err != nil || opts[0].Listen != "127.0.0.1:0" || opts[1].Listen != "127.0.0.1:0" {
		t.Errorf("free ports: %+v %v", opts, err)
	}
	for _, bad := range [][]string{{"3:version=2.541"}, {"x:version=1"}, {"0:colour=red"}, {"0:version"}, {"0:admin=nocolon"}} {
		if _, err := fleetOptions(shared, "127.0.0.1:0", 3, bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
	if _, err := fleetOptions(shared, "127.0.0.1:0", 0, nil); err == nil {
		t.Error("accepted 0 controllers")
	}
}
