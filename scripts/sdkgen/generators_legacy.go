//go:build legacy

package main

import (
	"bytes"
	"image"
	"image/png"
	"io"
	"net/http"

	"github.com/pulumi/pulumi/pkg/v3/codegen/dotnet"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// The .NET generator has left pkg/v3 for the pulumi-dotnet repository (not served here either), so
// scripts/gen-sdk.sh builds this file against pkg/v3 v3.206.0, which still has it (pulumi-yaml v1.25.0 uses it too).
var generators = map[string]func(*schema.Package) (map[string][]byte, error){
	"dotnet": func(pkg *schema.Package) (map[string][]byte, error) {
		// The generator downloads the NuGet package's icon (the schema's logoUrl, else Pulumi's logo from GitHub).
		// No web server is reachable from these machines, and a generator must not depend on one: it gets a blank
		// 64x64 PNG instead, made here, so sdk/dotnet/logo.png is the same on every run.
		http.DefaultClient.Transport = blankLogo{}
		return dotnet.GeneratePackage(tool, pkg, nil, nil)
	},
}

type blankLogo struct{}

func (blankLogo) RoundTrip(req *http.Request) (*http.Response, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewNRGBA(image.Rect(0, 0, 64, 64))); err != nil {
		return nil, err
	}
	return &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"image/png"}},
		Body:       io.NopCloser(&buf),
		Request:    req,
	}, nil
}
