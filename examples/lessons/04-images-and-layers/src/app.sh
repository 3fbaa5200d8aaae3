echo "app version 1, using: $(ls /opt/deps | tr '\n' ' ')"
