// The `atrium` binary: the admin command line, with `serve` wired to the server.
#include "clients/cli.hpp"
#include "server/serve.hpp"

int main(int argc, char** argv) {
  return atrium::clients::run_cli(argc, argv, [](const atrium::config::Config& config, atrium::clients::ConfigOrigin origin) {
    return atrium::server::serve(config, {.dev = origin == atrium::clients::ConfigOrigin::dev_defaults});
  });
}
