/* A library the missing_dependency plugin links against, kept off the
 * loader's search path so that loading the plugin fails. */
int gone_dependency_function(void);
int gone_dependency_function(void) {
  return 0;
}
