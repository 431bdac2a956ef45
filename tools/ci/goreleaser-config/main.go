// Command goreleaser-config is the offline part of `goreleaser check` that .ci/run can afford:
// it loads .goreleaser.yml with goreleaser's own loader (pkg/config, strict YAML: unknown keys,
// wrong types and a missing `version: 2` fail), reports fields that goreleaser marks deprecated
// (on which `goreleaser check` exits non-zero too), and checks what the Terraform Registry and
// the release workflow rely on. The full `goreleaser check` also runs goreleaser's defaults
// pipeline, which cannot be imported from outside goreleaser's module and pulls in the whole of
// goreleaser (a 16-minute, 3 GB first build here); it runs in .github/workflows/test.yml and at
// every release, and locally with `make goreleaser-check`.
//
// The goreleaser version in go.mod must be the one release.yml pins (tools/ci/check-release.sh
// compares them).
package main

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"

	"github.com/goreleaser/goreleaser/v2/pkg/config"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: goreleaser-config .goreleaser.yml")
		os.Exit(2)
	}
	if errs := check(os.Args[1]); len(errs) > 0 {
		for _, err := range errs {
			fmt.Fprintf(os.Stderr, "%s: %v\n", os.Args[1], err)
		}
		os.Exit(1)
	}
	fmt.Printf("%s: loads strictly with goreleaser's loader, no deprecated fields, registry layout in place\n", os.Args[1])
}

func check(path string) []error {
	cfg, err := config.Load(path)
	if err != nil {
		return []error{err}
	}
	var errs []error
	if cfg.Version != 2 {
		// config.Load only warns when a file without `version: 2` happens to parse.
		errs = append(errs, fmt.Errorf("version is %d, goreleaser v2 wants `version: 2`", cfg.Version))
	}
	for _, field := range deprecated(reflect.ValueOf(cfg), "") {
		errs = append(errs, fmt.Errorf("%s is deprecated in goreleaser (goreleaser check fails on it)", field))
	}
	return append(errs, registryLayout(cfg)...)
}

// deprecated lists the fields set in v whose jsonschema tag says deprecated=true: goreleaser's
// own marking of the options its defaults pipeline reports as deprecated.
func deprecated(v reflect.Value, path string) []string {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return deprecated(v.Elem(), path)
	case reflect.Slice, reflect.Array:
		var out []string
		for i := range v.Len() {
			out = append(out, deprecated(v.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	case reflect.Map:
		var out []string
		for iter := v.MapRange(); iter.Next(); {
			out = append(out, deprecated(iter.Value(), fmt.Sprintf("%s[%v]", path, iter.Key()))...)
		}
		return out
	case reflect.Struct:
		var out []string
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			fieldPath := strings.TrimPrefix(path+"."+name, ".")
			if strings.Contains(f.Tag.Get("jsonschema"), "deprecated=true") && !v.Field(i).IsZero() {
				out = append(out, fieldPath)
				continue
			}
			out = append(out, deprecated(v.Field(i), fieldPath)...)
		}
		return out
	}
	return nil
}

// registryLayout checks what the Terraform Registry needs from a release (zip archives, a
// SHA256SUMS file with a detached GPG signature) and what release.yml attests (SBOMs), so that
// an edit that still parses cannot quietly break a release.
func registryLayout(cfg config.Project) []error {
	var errs []error
	if len(cfg.Archives) == 0 {
		errs = append(errs, errors.New("no archives: the registry downloads zip archives"))
	}
	for i, a := range cfg.Archives {
		if len(a.Formats) != 1 || a.Formats[0] != "zip" || len(a.FormatOverrides) > 0 {
			errs = append(errs, fmt.Errorf("archives[%d]: formats must be [zip] everywhere, the registry takes zip archives only", i))
		}
	}
	if cfg.Checksum.Disable || cfg.Checksum.Algorithm != "sha256" || !strings.HasSuffix(cfg.Checksum.NameTemplate, "_SHA256SUMS") {
		errs = append(errs, errors.New("checksum: the registry wants sha256 sums in <name>_<version>_SHA256SUMS"))
	}
	signed := false
	for _, s := range cfg.Signs {
		signed = signed || s.Artifacts == "checksum"
	}
	if !signed {
		errs = append(errs, errors.New("signs: the checksum file must be signed (the registry verifies SHA256SUMS.sig)"))
	}
	if len(cfg.SBOMs) == 0 {
		errs = append(errs, errors.New("sboms: the release publishes an SBOM per archive"))
	}
	return errs
}
