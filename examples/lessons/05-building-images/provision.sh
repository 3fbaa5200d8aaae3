# Runs once during `docker build`, as root. Everything it leaves behind becomes one image layer.
set -eu
useradd --create-home --uid 1000 --shell /bin/bash dev
mkdir -p /srv/data
chown dev:dev /srv/data
echo "built $(date -u +%Y-%m-%d) from $(cat /etc/debian_version)" > /etc/l05-build-info
# Nothing to clean here; after apt-get install you would remove /var/lib/apt/lists/* in this same RUN.
