from mytool.cli import main

main()
