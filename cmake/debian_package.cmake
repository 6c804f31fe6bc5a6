# What `cmake --install` puts where, and the Debian package CPack makes of it (scripts/package.sh:
# `cpack -G DEB`, with CMAKE_INSTALL_PREFIX=/usr). The config and the systemd unit have absolute
# destinations: they belong where Debian looks for them, whatever the prefix.
install(TARGETS llm-d llm-d-mock RUNTIME DESTINATION bin)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/debian/llm-d.yaml DESTINATION /etc/llm-d)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/debian/llm-d.service DESTINATION /lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION share/doc/llm-d)
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION share/doc/llm-d RENAME copyright)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION share/doc/llm-d/docs)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/config/ DESTINATION share/doc/llm-d/examples FILES_MATCHING PATTERN "*.yaml")

set(CPACK_PACKAGE_NAME llm-d)
set(CPACK_PACKAGE_VENDOR llm-d)
set(CPACK_PACKAGE_CONTACT "llm-d maintainers <llm-d@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "OpenAI-compatible front door for a pool of model servers")
set(CPACK_PACKAGE_DESCRIPTION
    "llm-d sits between applications and model servers (vLLM, SGLang, Ollama, Triton, OpenAI-compatible
cloud APIs). It picks a backend per request from concurrency slots, health, load and cache, streams
the answer, and retries or falls back on error, timeout or backpressure. Includes llm-d-mock, a
fake model server for tests and demos.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The shared libraries' packages, from dpkg-shlibdeps; ca-certificates is the CA store llm-d
# trusts for https:// backends; passwd has useradd, for the postinst's system user; procps has
# /bin/kill, the unit's ExecReload.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "ca-certificates, passwd, procps")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${PROJECT_SOURCE_DIR}/deploy/debian/conffiles;${PROJECT_SOURCE_DIR}/deploy/debian/postinst;${PROJECT_SOURCE_DIR}/deploy/debian/prerm;${PROJECT_SOURCE_DIR}/deploy/debian/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
