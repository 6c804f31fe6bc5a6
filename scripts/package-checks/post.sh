# Sourced by the package checks. post PORT BODY: the whole HTTP/1.1 exchange of a chat completion
# with 127.0.0.1:PORT, through bash's /dev/tcp (a bare system has no curl).
post() {
  exec 3<>"/dev/tcp/127.0.0.1/$1"
  printf 'POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
    "${#2}" "$2" >&3
  cat <&3
  exec 3<&-
}
