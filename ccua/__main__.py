from ccua.cli import main

main()
