// Command sdkgen writes the SDK of one language for a Pulumi package schema, with the code generators of
// github.com/pulumi/pulumi/pkg/v3/codegen: what `pulumi package gen-sdk` runs inside each language host
// (GeneratePackage). It exists because those language hosts (pulumi-language-go, -python, -nodejs, -dotnet) are not
// served by the Go module proxy these machines reach, so `pulumi package gen-sdk` cannot run here; see
// scripts/gen-sdk.sh, which builds and runs it.
//
// Usage: sdkgen <schema.json> <language> <out dir>
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// tool is the generator name the SDKs' "do not edit" headers carry.
const tool = "pulumi-vmss-identity/scripts/gen-sdk.sh"

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: sdkgen <schema.json> <language> <out dir>")
		os.Exit(2)
	}
	schemaPath, language, out := os.Args[1], os.Args[2], os.Args[3]
	if err := run(schemaPath, language, out); err != nil {
		fmt.Fprintf(os.Stderr, "sdkgen: %s: %v\n", language, err)
		os.Exit(1)
	}
}

func run(schemaPath, language, out string) error {
	text, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(text, &spec); err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	pkg, diags, err := schema.BindSpec(spec, noLoader{}, schema.ValidationOptions{})
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return diags
	}
	generate, ok := generators[language]
	if !ok {
		return fmt.Errorf("no generator for this language in this build")
	}
	files, err := generate(pkg)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	for name, content := range files {
		path := filepath.Join(out, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// noLoader loads no other package: the schema references none (only the built-in pulumi.json#/Any), and an SDK
// generated here must not depend on what happens to be installed.
type noLoader struct{}

func (noLoader) LoadPackage(pkg string, _ *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("the schema references package %q; this generator loads no other package", pkg)
}

func (noLoader) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return noLoader{}.LoadPackage(d.Name, nil)
}

func (noLoader) LoadPackageReference(pkg string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, fmt.Errorf("the schema references package %q; this generator loads no other package", pkg)
}

func (noLoader) LoadPackageReferenceV2(_ context.Context, d *schema.PackageDescriptor) (schema.PackageReference, error) {
	return noLoader{}.LoadPackageReference(d.Name, nil)
}
