# Stands in for `npm ci`, `pip install -r` or `apt-get install`: slow, and driven by deps.txt only.
set -e
sleep 3
while read -r name version; do
  mkdir -p "/opt/deps/$name"
  echo "$version" > "/opt/deps/$name/VERSION"
done < deps.txt
echo "installed $(wc -l < deps.txt) dependencies"
