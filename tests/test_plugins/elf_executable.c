/* A program, not a library: built as an executable named *.so. */
int main(void) {
  return 0;
}
